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
  STDDEV;

  public String yamlName() {
    return name().toLowerCase();
  }

  /** Whether the aggregation folds a numeric {@code input} expression. */
  public boolean needsInput() {
    return this != COUNT && this != RATIO;
  }

  /** The feature type the aggregation always produces, if it does not follow the input. */
  public Optional<FeatureType> fixedType() {
    return switch (this) {
      case COUNT -> Optional.of(FeatureType.LONG);
      case AVG, RATIO, STDDEV -> Optional.of(FeatureType.DOUBLE);
      default -> Optional.empty();
    };
  }

  static Optional<Aggregation> fromYaml(String name) {
    return Arrays.stream(values()).filter(a -> a.yamlName().equals(name)).findFirst();
  }
}
