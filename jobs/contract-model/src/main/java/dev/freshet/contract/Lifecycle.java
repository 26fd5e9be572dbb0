package dev.freshet.contract;

import java.util.Arrays;
import java.util.Optional;

/** Where a contract is in its life: being built, serving, or on its way out. */
public enum Lifecycle {
  DRAFT,
  ACTIVE,
  DEPRECATED;

  public String yamlName() {
    return name().toLowerCase();
  }

  static Optional<Lifecycle> fromYaml(String name) {
    return Arrays.stream(values()).filter(l -> l.yamlName().equals(name)).findFirst();
  }
}
