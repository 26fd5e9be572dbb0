package dev.freshet.bench.freshness;

import dev.freshet.bench.results.Plot;
import java.util.Arrays;

/**
 * A distribution of latencies in milliseconds, each value counted as often as it occurred (a Delta
 * commit makes many rows of one feature time available at once).
 */
public final class Latencies {

  private long[] values = new long[64];
  private long[] counts = new long[64];
  private int size;
  private long total;
  private boolean sorted = true;

  public void add(long millis, long count) {
    if (count <= 0) {
      return;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    values[size] = millis;
    counts[size] = count;
    size++;
    total += count;
    sorted = false;
  }

  /** Adds every latency of {@code other}, with its count. */
  public void addAll(Latencies other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i], other.counts[i]);
    }
  }

  /** How many latencies were added, with their counts. */
  public long count() {
    return total;
  }

  /**
   * The nearest-rank percentile: the smallest latency at or above {@code percent} of them.
   *
   * @throws IllegalStateException when there are none
   */
  public double percentile(double percent) {
    if (total == 0) {
      throw new IllegalStateException("no latencies");
    }
    sort();
    long rank = Math.max(1, (long) Math.ceil(percent / 100 * total));
    long seen = 0;
    for (int i = 0; i < size; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return values[i];
      }
    }
    return values[size - 1];
  }

  /** The cumulative distribution: for each distinct latency, the share at or below it. */
  public Plot.Series cdf(String name) {
    sort();
    int distinct = 0;
    double[] x = new double[size];
    double[] y = new double[size];
    long seen = 0;
    for (int i = 0; i < size; i++) {
      seen += counts[i];
      if (distinct > 0 && x[distinct - 1] == values[i]) {
        y[distinct - 1] = (double) seen / total;
      } else {
        x[distinct] = values[i];
        y[distinct] = (double) seen / total;
        distinct++;
      }
    }
    return new Plot.Series(name, Arrays.copyOf(x, distinct), Arrays.copyOf(y, distinct));
  }

  private void sort() {
    if (sorted) {
      return;
    }
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(values[a], values[b]));
    long[] sortedValues = new long[values.length];
    long[] sortedCounts = new long[counts.length];
    for (int i = 0; i < size; i++) {
      sortedValues[i] = values[order[i]];
      sortedCounts[i] = counts[order[i]];
    }
    values = sortedValues;
    counts = sortedCounts;
    sorted = true;
  }
}
