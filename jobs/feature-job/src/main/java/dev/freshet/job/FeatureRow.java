package dev.freshet.job;

import java.util.Arrays;
import java.util.Objects;

/**
 * The values of all features of one contract for one entity, as of {@code featureTime}: the end
 * (exclusive) of the windows that closed last. One value per feature, then per derived feature: a
 * number in {@code values} (NaN where a feature has no value, such as an average over an empty
 * window), or for string-list features a list in {@code lists}. A Flink POJO.
 */
public class FeatureRow {

  public String contract;
  public String entityKey;
  public long featureTime;
  public double[] values;

  /** Per value its list for string-list features, null otherwise; null when there are none. */
  public String[][] lists;

  public FeatureRow() {}

  public FeatureRow(String contract, String entityKey, long featureTime, double[] values) {
    this(contract, entityKey, featureTime, values, null);
  }

  public FeatureRow(
      String contract, String entityKey, long featureTime, double[] values, String[][] lists) {
    this.contract = contract;
    this.entityKey = entityKey;
    this.featureTime = featureTime;
    this.values = values;
    this.lists = lists;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureRow other
        && featureTime == other.featureTime
        && Objects.equals(contract, other.contract)
        && Objects.equals(entityKey, other.entityKey)
        && Arrays.equals(values, other.values)
        && Arrays.deepEquals(lists, other.lists);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contract, entityKey, featureTime);
  }

  @Override
  public String toString() {
    return contract
        + "/"
        + entityKey
        + "@"
        + featureTime
        + Arrays.toString(values)
        + (lists == null ? "" : Arrays.deepToString(lists));
  }
}
