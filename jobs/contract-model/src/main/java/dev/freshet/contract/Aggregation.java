package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** How a feature folds the events of its window into one value. */
public enum Aggregation {
  /** Number of events the feature's filter accepts. */
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX,
  /** The input of the earliest event by event time (ties: the smaller value). */
  FIRST,
  /** The input of the latest event by event time (ties: the larger value). */
  LAST,
  /** Share of the events matching {@code denominator} that also match {@code numerator}. */
  RATIO,
  /** Population standard deviation of the input. */
  STDDEV,
  /**
   * Estimated number of distinct input values, from an Apache DataSketches HLL sketch of {@link
   * #HLL_LG_K}: exact for small counts, within about 1.6 % (one standard error) beyond.
   */
  DISTINCT_COUNT,
  /**
   * The {@code k} most frequent input values, most frequent first (ties: the smaller value first),
   * from an Apache DataSketches frequent-items sketch.
   */
  TOP_K,
  /**
   * A recommended poll interval in seconds, adapted per poll period to how many events (changes)
   * the period saw; see {@link AdaptiveInterval}. Lifetime windows only: the interval lives in
   * state for the entity's life.
   */
  ADAPTIVE_INTERVAL;

  /**
   * log2 of the number of HLL buckets of {@code distinct_count}: 4096 buckets, a relative standard
   * error of about 1.04 / sqrt(4096) = 1.6 %.
   */
  public static final int HLL_LG_K = 12;

  /** The largest {@code k} of {@code top_k}. */
  public static final int MAX_TOP_K = 100;

  public String yamlName() {
    return name().toLowerCase();
  }

  /** Whether the aggregation folds an {@code input} expression. */
  public boolean needsInput() {
    return this != COUNT && this != RATIO && this != ADAPTIVE_INTERVAL;
  }

  /** Whether the input is an item to tell apart or count (any scalar), rather than a number. */
  public boolean foldsItems() {
    return this == DISTINCT_COUNT || this == TOP_K;
  }

  /** The feature type the aggregation always produces, if it does not follow the input. */
  public Optional<FeatureType> fixedType() {
    return switch (this) {
      case COUNT, DISTINCT_COUNT -> Optional.of(FeatureType.LONG);
      case TOP_K -> Optional.of(FeatureType.STRING_LIST);
      case AVG, RATIO, STDDEV, ADAPTIVE_INTERVAL -> Optional.of(FeatureType.DOUBLE);
      default -> Optional.empty();
    };
  }

  static Optional<Aggregation> fromYaml(String name) {
    return Arrays.stream(values()).filter(a -> a.yamlName().equals(name)).findFirst();
  }
}
