package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** How a feature folds the events of its window into one value. */
public enum Aggregation {
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX,
  LAST;

  public String yamlName() {
    return name().toLowerCase();
  }

  /** Whether the aggregation reads a numeric input field ({@code count} does not). */
  public boolean needsField() {
    return this != COUNT;
  }

  static Optional<Aggregation> fromYaml(String name) {
    return Arrays.stream(values()).filter(a -> a.yamlName().equals(name)).findFirst();
  }
}
