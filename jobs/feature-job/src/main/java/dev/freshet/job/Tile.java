package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import java.util.Arrays;

/**
 * The partial aggregates of one time slice (a tile) of one entity, one slot per feature. Windows
 * are unions of tiles, so each event is folded once, not once per window it falls in. {@code
 * featureIds} names each slot's feature (see {@link ContractPlan#identity}), so tiles stored under
 * an older contract layout are matched to the new one by feature. A Flink POJO.
 */
public class Tile {

  public long[] featureIds;
  public long[] counts;
  public double[] sums;

  /**
   * Per feature the sum of squared deviations from the tile's mean, merged by Chan et al.'s
   * formula: a sum of squares minus the squared mean loses most of its digits when values are large
   * and close together (file sizes of megabytes that differ by bytes).
   */
  public double[] squaredDeviations;

  public double[] mins;
  public double[] maxs;
  public double[] firsts;
  public long[] firstTimes;
  public double[] lasts;
  public long[] lastTimes;

  /** Per slot the serialized sketch of distinct_count and top_k features; null when empty. */
  public byte[][] sketches;

  public Tile() {}

  static Tile empty(long[] featureIds) {
    int features = featureIds.length;
    Tile tile = new Tile();
    tile.featureIds = featureIds;
    tile.counts = new long[features];
    tile.sums = new double[features];
    tile.squaredDeviations = new double[features];
    tile.mins = new double[features];
    tile.maxs = new double[features];
    tile.firsts = new double[features];
    tile.firstTimes = new long[features];
    tile.lasts = new double[features];
    tile.lastTimes = new long[features];
    tile.sketches = new byte[features][];
    Arrays.fill(tile.mins, Double.POSITIVE_INFINITY);
    Arrays.fill(tile.maxs, Double.NEGATIVE_INFINITY);
    Arrays.fill(tile.firstTimes, Long.MAX_VALUE);
    Arrays.fill(tile.lastTimes, Long.MIN_VALUE);
    return tile;
  }

  void add(FeatureInput input, Aggregation[] aggregations) {
    for (int f = 0; f < aggregations.length; f++) {
      if (aggregations[f].foldsItems()) {
        String item = input.items == null ? null : input.items[f];
        if (item != null) {
          counts[f]++;
          sketches[f] = Sketches.add(aggregations[f], sketches[f], item);
        }
        continue;
      }
      double value = input.inputs[f];
      if (Double.isNaN(value)) {
        continue;
      }
      double previousMean = counts[f] == 0 ? value : sums[f] / counts[f];
      counts[f]++;
      sums[f] += value;
      squaredDeviations[f] += (value - previousMean) * (value - sums[f] / counts[f]);
      mins[f] = Math.min(mins[f], value);
      maxs[f] = Math.max(maxs[f], value);
      if (isEarlier(input.eventTime, value, firstTimes[f], firsts[f])) {
        firstTimes[f] = input.eventTime;
        firsts[f] = value;
      }
      if (isLater(input.eventTime, value, lastTimes[f], lasts[f])) {
        lastTimes[f] = input.eventTime;
        lasts[f] = value;
      }
    }
  }

  /** Folds slot {@code from} of {@code other} into slot {@code into} of this tile. */
  void merge(int into, Tile other, int from, Aggregation aggregation) {
    if (other.counts[from] == 0) {
      return;
    }
    if (aggregation.foldsItems()) {
      counts[into] += other.counts[from];
      sketches[into] = Sketches.merge(aggregation, sketches[into], other.sketches[from]);
      return;
    }
    squaredDeviations[into] =
        combinedSquaredDeviations(
            counts[into],
            sums[into],
            squaredDeviations[into],
            other.counts[from],
            other.sums[from],
            other.squaredDeviations[from]);
    counts[into] += other.counts[from];
    sums[into] += other.sums[from];
    mins[into] = Math.min(mins[into], other.mins[from]);
    maxs[into] = Math.max(maxs[into], other.maxs[from]);
    if (isEarlier(other.firstTimes[from], other.firsts[from], firstTimes[into], firsts[into])) {
      firstTimes[into] = other.firstTimes[from];
      firsts[into] = other.firsts[from];
    }
    if (isLater(other.lastTimes[from], other.lasts[from], lastTimes[into], lasts[into])) {
      lastTimes[into] = other.lastTimes[from];
      lasts[into] = other.lasts[from];
    }
  }

  /**
   * This tile laid out for {@code plan}: slots of features the plan still has keep their
   * aggregates, new features start empty. Returns this when the layout is already the plan's.
   */
  Tile laidOutFor(ContractPlan plan) {
    if (featureIds == plan.featureIds) {
      return this;
    }
    if (Arrays.equals(featureIds, plan.featureIds)) {
      featureIds = plan.featureIds;
      return this;
    }
    Tile laidOut = empty(plan.featureIds);
    for (int from = 0; from < featureIds.length; from++) {
      int to = plan.slotOf(featureIds[from]);
      if (to >= 0) {
        laidOut.merge(to, this, from, plan.aggregations[to]);
      }
    }
    return laidOut;
  }

  /**
   * Whether (time, value) is later than (otherTime, otherValue). Equal event times are broken by
   * the larger value, so the result does not depend on arrival order.
   */
  static boolean isLater(long time, double value, long otherTime, double otherValue) {
    return time > otherTime || (time == otherTime && value > otherValue);
  }

  /** Whether (time, value) is earlier; equal event times are broken by the smaller value. */
  static boolean isEarlier(long time, double value, long otherTime, double otherValue) {
    return time < otherTime || (time == otherTime && value < otherValue);
  }

  /** The squared deviations of two groups of values together (Chan, Golub and LeVeque). */
  static double combinedSquaredDeviations(
      long count,
      double sum,
      double squaredDeviations,
      long otherCount,
      double otherSum,
      double otherSquaredDeviations) {
    if (count == 0 || otherCount == 0) {
      return squaredDeviations + otherSquaredDeviations;
    }
    double delta = otherSum / otherCount - sum / count;
    return squaredDeviations
        + otherSquaredDeviations
        + delta * delta * count * otherCount / (count + otherCount);
  }
}
