package dev.freshet.bench.serving;

import java.util.Arrays;

/** The latencies of one case in one round, in nanoseconds. */
final class LatencySamples {

  private final long[] nanos;
  private int count;

  LatencySamples(int capacity) {
    this.nanos = new long[capacity];
  }

  void add(long value) {
    nanos[count++] = value;
  }

  /**
   * The nearest-rank percentile, in milliseconds: the smallest sample at or above {@code percent}
   * of them. With 200 samples, p99.9 is the largest.
   */
  double percentileMillis(double percent) {
    if (count == 0) {
      throw new IllegalStateException("no samples");
    }
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percent / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
  }
}
