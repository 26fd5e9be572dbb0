package dev.freshet.job;

import dev.freshet.contract.EntityKey;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import java.util.List;

/** The Java values in a {@link FeatureRow}, as both sinks store them. */
final class FeatureRowValues {

  private FeatureRowValues() {}

  /** The entity key's parts: a {@link Long} for long keys, a {@link String} otherwise. */
  static Object[] keyValues(List<EntityKey> keys, FeatureRow row) {
    String[] parts = row.entityKey.split(ContractInputs.KEY_PART_SEPARATOR, -1);
    Object[] values = new Object[keys.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = keys.get(k).type() == KeyType.LONG ? (Object) Long.parseLong(parts[k]) : parts[k];
    }
    return values;
  }

  /**
   * Value {@code slot} of the row: a {@link Long}, a {@link Double}, a {@link List} of strings, or
   * null where the feature has no value.
   */
  static Object value(FeatureType type, FeatureRow row, int slot) {
    if (type == FeatureType.STRING_LIST) {
      return List.of(row.lists[slot]);
    }
    double value = row.values[slot];
    if (Double.isNaN(value)) {
      return null;
    }
    return type == FeatureType.LONG ? (Object) (long) value : (Object) value;
  }
}
