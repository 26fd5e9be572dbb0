package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** The type of a feature value, in Delta and in the online store. */
public enum FeatureType {
  LONG,
  DOUBLE,
  /** An ordered list of strings: the value of {@code top_k}. */
  STRING_LIST;

  public boolean isNumeric() {
    return this != STRING_LIST;
  }

  public String yamlName() {
    return name().toLowerCase();
  }

  static Optional<FeatureType> fromYaml(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }
}
