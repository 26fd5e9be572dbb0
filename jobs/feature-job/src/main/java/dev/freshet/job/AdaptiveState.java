package dev.freshet.job;

import java.util.Arrays;

/**
 * Where the poll-interval recurrence of each {@code adaptive_interval} feature of one entity
 * stands: one slot per feature of the contract (slots of other features stay unused). {@code
 * featureIds} names each slot's feature (see {@link ContractPlan#identity}), so state stored under
 * an older contract layout is matched to the new one by feature. Events beyond a slot's current
 * period wait in a map of their own (event time to count per slot); {@link AdaptiveIntervals} reads
 * both. A Flink POJO.
 */
public class AdaptiveState {

  public long[] featureIds;

  /** The interval in milliseconds; NaN while the slot has no period (before its first event). */
  public double[] intervals;

  /**
   * With a period: the start of the first one (the first event's time). Before: the earliest
   * buffered event time, {@link Long#MAX_VALUE} for none.
   */
  public long[] openedAt;

  /** The current period [start, end). */
  public long[] periodStarts;

  public long[] periodEnds;

  /** Accepted events counted in the current period. */
  public long[] counts;

  /** Accepted events of the slot waiting in the map of event times beyond the current period. */
  public long[] buffered;

  public AdaptiveState() {}

  static AdaptiveState empty(long[] featureIds) {
    int features = featureIds.length;
    AdaptiveState state = new AdaptiveState();
    state.featureIds = featureIds;
    state.intervals = new double[features];
    state.openedAt = new long[features];
    state.periodStarts = new long[features];
    state.periodEnds = new long[features];
    state.counts = new long[features];
    state.buffered = new long[features];
    Arrays.fill(state.intervals, Double.NaN);
    Arrays.fill(state.openedAt, Long.MAX_VALUE);
    return state;
  }

  /** Whether slot {@code f} has a period, that is a first event the watermark has passed. */
  boolean hasPeriod(int f) {
    return !Double.isNaN(intervals[f]);
  }

  /** Whether no slot holds anything: no period and no buffered event. */
  boolean isIdle() {
    for (int f = 0; f < intervals.length; f++) {
      if (hasPeriod(f) || buffered[f] > 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * This state laid out for {@code plan}: slots of features the plan still has keep their place in
   * the recurrence, new features start without a period. Returns this when the layout is already
   * the plan's. Buffered event times are laid out apart, with {@link #laidOut(long[], long[],
   * ContractPlan)}.
   */
  AdaptiveState laidOutFor(ContractPlan plan) {
    if (featureIds == plan.featureIds) {
      return this;
    }
    if (Arrays.equals(featureIds, plan.featureIds)) {
      featureIds = plan.featureIds;
      return this;
    }
    AdaptiveState laidOut = empty(plan.featureIds);
    for (int from = 0; from < featureIds.length; from++) {
      int to = plan.slotOf(featureIds[from]);
      if (to >= 0) {
        laidOut.intervals[to] = intervals[from];
        laidOut.openedAt[to] = openedAt[from];
        laidOut.periodStarts[to] = periodStarts[from];
        laidOut.periodEnds[to] = periodEnds[from];
        laidOut.counts[to] = counts[from];
        laidOut.buffered[to] = buffered[from];
      }
    }
    return laidOut;
  }

  /** Per-slot counts of one buffered event time, from the layout {@code fromIds} to the plan's. */
  static long[] laidOut(long[] counts, long[] fromIds, ContractPlan plan) {
    long[] laidOut = new long[plan.featureCount()];
    for (int from = 0; from < fromIds.length && from < counts.length; from++) {
      int to = plan.slotOf(fromIds[from]);
      if (to >= 0) {
        laidOut[to] = counts[from];
      }
    }
    return laidOut;
  }
}
