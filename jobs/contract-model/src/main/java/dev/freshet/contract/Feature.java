package dev.freshet.contract;

import java.io.Serializable;

/**
 * One feature of a contract. Expressions are CEL over the fields of the contract's stream.
 *
 * @param input the numeric expression aggregated; null for {@code count}, {@code ratio} and {@code
 *     adaptive_interval}
 * @param filter a boolean expression choosing the events that count; null for all events
 * @param numerator for {@code ratio}: the events counted above the line; otherwise null
 * @param denominator for {@code ratio}: the events counted below the line; otherwise null
 * @param defaultValue the value of the feature over a window without events; null for the
 *     aggregation's own (0 for count, sum and distinct_count, no value for the others); never set
 *     for {@code top_k}, whose empty value is the empty list
 * @param k for {@code top_k}: how many values to keep, 1 to {@link Aggregation#MAX_TOP_K};
 *     otherwise null
 * @param adaptive for {@code adaptive_interval}: its parameters, defaults filled in; otherwise null
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
    Integer k,
    AdaptiveInterval adaptive)
    implements Serializable {

  /** An {@code adaptive_interval} feature of changes matching {@code filter} (null for all). */
  public static Feature adaptiveInterval(
      String name, String filter, AdaptiveInterval adaptive, Window window) {
    return new Feature(
        name,
        FeatureType.DOUBLE,
        Aggregation.ADAPTIVE_INTERVAL,
        null,
        filter,
        null,
        null,
        window,
        null,
        null,
        adaptive);
  }

  /** A feature of one input expression, as most are. */
  public static Feature of(
      String name,
      FeatureType type,
      Aggregation aggregation,
      String input,
      String filter,
      Window window) {
    return new Feature(
        name, type, aggregation, input, filter, null, null, window, null, null, null);
  }
}
