package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** The type of a feature value, in Delta and in the online store. */
public enum FeatureType {
  LONG,
  DOUBLE;

  public String yamlName() {
    return name().toLowerCase();
  }

  static Optional<FeatureType> fromYaml(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }
}
