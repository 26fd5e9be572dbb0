package dev.freshet.job;

import java.util.Arrays;

/**
 * The current values of one entity's features, one slot per feature of the contract: a number (NaN
 * for none) or, for string-list features, a list. {@code featureIds} names each slot's feature, so
 * values stored under an older contract layout are matched to the new one by feature, not by
 * position. A Flink POJO.
 */
public class FeatureValues {

  public long[] featureIds;
  public double[] numbers;

  /** Per slot its list for string-list features, null otherwise; null when there are none. */
  public String[][] lists;

  public FeatureValues() {}

  FeatureValues(long[] featureIds, double[] numbers, String[][] lists) {
    this.featureIds = featureIds;
    this.numbers = numbers;
    this.lists = lists;
  }

  FeatureValues copy() {
    return new FeatureValues(
        featureIds, numbers.clone(), lists == null ? null : Arrays.copyOf(lists, lists.length));
  }

  /**
   * These values laid out for {@code plan}: slots of features the plan still has keep their values,
   * new features start empty. Returns this when the layout is already the plan's.
   */
  FeatureValues laidOutFor(ContractPlan plan) {
    if (featureIds == plan.featureIds) {
      return this;
    }
    if (Arrays.equals(featureIds, plan.featureIds)) {
      featureIds = plan.featureIds;
      return this;
    }
    FeatureValues laidOut = plan.emptyValues();
    for (int from = 0; from < featureIds.length; from++) {
      int to = plan.slotOf(featureIds[from]);
      if (to >= 0) {
        laidOut.numbers[to] = numbers[from];
        if (lists != null && laidOut.lists != null) {
          laidOut.lists[to] = lists[from];
        }
      }
    }
    return laidOut;
  }

  /**
   * Whether both hold the same feature values. Sums of doubles depend on the order events arrived
   * in (which differs after a restore), so numbers within one part in 10^12 are the same: such
   * noise is not a change worth a row.
   */
  boolean sameAs(FeatureValues other) {
    for (int slot = 0; slot < numbers.length; slot++) {
      if (!sameSlot(slot, other)) {
        return false;
      }
    }
    return true;
  }

  boolean sameSlot(int slot, FeatureValues other) {
    if (lists != null && lists[slot] != null) {
      return Arrays.equals(lists[slot], other.lists[slot]);
    }
    return sameNumber(numbers[slot], other.numbers[slot]);
  }

  static boolean sameNumber(double a, double b) {
    return Double.isNaN(a)
        ? Double.isNaN(b)
        : !Double.isNaN(b) && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  }
}
