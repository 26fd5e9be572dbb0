package dev.freshet.job;

import java.util.Arrays;
import java.util.Objects;

/**
 * The values of all features of one contract for one entity, as of {@code featureTime}: the end
 * (exclusive) of the windows that closed last. A value is NaN where a feature has no value (an
 * average over an empty window). A Flink POJO.
 */
public class FeatureRow {

  public String contract;
  public String entityKey;
  public long featureTime;
  public double[] values;

  public FeatureRow() {}

  public FeatureRow(String contract, String entityKey, long featureTime, double[] values) {
    this.contract = contract;
    this.entityKey = entityKey;
    this.featureTime = featureTime;
    this.values = values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureRow other
        && featureTime == other.featureTime
        && Objects.equals(contract, other.contract)
        && Objects.equals(entityKey, other.entityKey)
        && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contract, entityKey, featureTime);
  }

  @Override
  public String toString() {
    return contract + "/" + entityKey + "@" + featureTime + Arrays.toString(values);
  }
}
