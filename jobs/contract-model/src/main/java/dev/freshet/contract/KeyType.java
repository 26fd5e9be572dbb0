package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** The type of an entity key value: what Feast calls the join key's value type. */
public enum KeyType {
  STRING,
  LONG;

  public String yamlName() {
    return name().toLowerCase();
  }

  static Optional<KeyType> fromYaml(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }
}
