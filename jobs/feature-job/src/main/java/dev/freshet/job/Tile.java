package dev.freshet.job;

import java.util.Arrays;

/**
 * The partial aggregates of one time slice (a tile) of one entity, one slot per feature. Windows
 * are unions of tiles, so each event is folded once, not once per window it falls in. A Flink POJO.
 */
public class Tile {

  public long[] counts;
  public double[] sums;
  public double[] sumsOfSquares;
  public double[] mins;
  public double[] maxs;
  public double[] firsts;
  public long[] firstTimes;
  public double[] lasts;
  public long[] lastTimes;

  public Tile() {}

  static Tile empty(int features) {
    Tile tile = new Tile();
    tile.counts = new long[features];
    tile.sums = new double[features];
    tile.sumsOfSquares = new double[features];
    tile.mins = new double[features];
    tile.maxs = new double[features];
    tile.firsts = new double[features];
    tile.firstTimes = new long[features];
    tile.lasts = new double[features];
    tile.lastTimes = new long[features];
    Arrays.fill(tile.mins, Double.POSITIVE_INFINITY);
    Arrays.fill(tile.maxs, Double.NEGATIVE_INFINITY);
    Arrays.fill(tile.firstTimes, Long.MAX_VALUE);
    Arrays.fill(tile.lastTimes, Long.MIN_VALUE);
    return tile;
  }

  void add(double[] inputs, long eventTime) {
    for (int f = 0; f < inputs.length; f++) {
      double value = inputs[f];
      if (Double.isNaN(value)) {
        continue;
      }
      counts[f]++;
      sums[f] += value;
      sumsOfSquares[f] += value * value;
      mins[f] = Math.min(mins[f], value);
      maxs[f] = Math.max(maxs[f], value);
      if (isEarlier(eventTime, value, firstTimes[f], firsts[f])) {
        firstTimes[f] = eventTime;
        firsts[f] = value;
      }
      if (isLater(eventTime, value, lastTimes[f], lasts[f])) {
        lastTimes[f] = eventTime;
        lasts[f] = value;
      }
    }
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
}
