package dev.freshet.contract;

import java.io.Serializable;

/**
 * One feature of a contract. Expressions are CEL over the fields of the contract's stream.
 *
 * @param input the numeric expression aggregated; null for {@code count} and {@code ratio}
 * @param filter a boolean expression choosing the events that count; null for all events
 * @param numerator for {@code ratio}: the events counted above the line; otherwise null
 * @param denominator for {@code ratio}: the events counted below the line; otherwise null
 * @param defaultValue the value of the feature over a window without events; null for the
 *     aggregation's own (0 for count, sum and distinct_count, no value for the others); never set
 *     for {@code top_k}, whose empty value is the empty list
 * @param k for {@code top_k}: how many values to keep, 1 to {@link Aggregation#MAX_TOP_K};
 *     otherwise null
 */
public record Feature(
    String name,
    FeatureType type,
    Aggregation aggregation,
    String input,
    String filter,
    String numerator,
    String denominator,
    Window window,
    Double defaultValue,
    Integer k)
    implements Serializable {

  /** A feature of one input expression, as most are. */
  public static Feature of(
      String name,
      FeatureType type,
      Aggregation aggregation,
      String input,
      String filter,
      Window window) {
    return new Feature(name, type, aggregation, input, filter, null, null, window, null, null);
  }
}
