package dev.freshet.bench;

import dev.freshet.bench.results.Plot;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How many records a run had consumed, sampled over its time. A run's rate is the slope between the
 * moments it passed 20 % and 90 % of its input: that leaves out start-up and JIT warm-up at one end
 * and the end-of-input flush (every window fires, the last commits) at the other, which differ a
 * lot between a DataStream job, a SQL job and a bare consumer.
 */
final class Progress {

  static final double FROM = 0.2;
  static final double TO = 0.9;

  private final List<long[]> samples = new ArrayList<>();
  private final long startNanos;
  private long cpuNanosFrom = -1;
  private long cpuNanosTo = -1;
  private final long total;
  private final MeasuredSpan span;

  private Progress(long total, MeasuredSpan span) {
    this.total = total;
    this.span = span;
    this.startNanos = System.nanoTime();
    samples.add(new long[] {startNanos, 0});
  }

  /**
   * Starts the clock of a run that will consume {@code total} records; {@code span} hears when the
   * run passes 20 % and 90 % of them.
   */
  static Progress start(long total, MeasuredSpan span) {
    return new Progress(total, span);
  }

  /** Records that {@code consumed} records were consumed by now. */
  void sample(long consumed) {
    long now = System.nanoTime();
    if (cpuNanosFrom < 0 && consumed >= FROM * total) {
      cpuNanosFrom = Cpu.processCpuNanos();
      span.started();
    }
    if (cpuNanosTo < 0 && consumed >= TO * total) {
      cpuNanosTo = Cpu.processCpuNanos();
      span.ended();
    }
    samples.add(new long[] {now, consumed});
  }

  /** Samples {@code counter} every {@code intervalMillis} until {@code done} says so. */
  void sampleUntil(LongSupplier counter, BooleanSupplier done, long intervalMillis)
      throws InterruptedException {
    while (!done.getAsBoolean()) {
      sample(counter.getAsLong());
      Thread.sleep(intervalMillis);
    }
    sample(counter.getAsLong());
  }

  /** Records per second between 20 % and 90 % of the input; NaN if the run never got there. */
  double rate() {
    double from = secondsWhenPassed(FROM * total);
    double to = secondsWhenPassed(TO * total);
    if (Double.isNaN(from) || Double.isNaN(to) || to <= from) {
      return Double.NaN;
    }
    return (TO - FROM) * total / (to - from);
  }

  /** Cores this JVM kept busy between 20 % and 90 % of the input. */
  double coresBusy() {
    double from = secondsWhenPassed(FROM * total);
    double to = secondsWhenPassed(TO * total);
    if (cpuNanosFrom < 0 || cpuNanosTo < 0 || !(to > from)) {
      return Double.NaN;
    }
    return (cpuNanosTo - cpuNanosFrom) / 1e9 / (to - from);
  }

  /** Seconds from the start until the last sample. */
  double seconds() {
    return (samples.get(samples.size() - 1)[0] - startNanos) / 1e9;
  }

  long consumed() {
    return samples.get(samples.size() - 1)[1];
  }

  /** Records per second over time, in buckets of a second, for the throughput plot. */
  Plot.Series ratePerSecond(String name) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    long bucketNanos = 1_000_000_000L;
    int next = 0;
    long previousCount = 0;
    for (long bucketEnd = startNanos + bucketNanos; ; bucketEnd += bucketNanos) {
      while (next < samples.size() && samples.get(next)[0] <= bucketEnd) {
        next++;
      }
      long count = samples.get(Math.max(0, next - 1))[1];
      x.add((bucketEnd - startNanos) / 1e9);
      y.add((double) (count - previousCount));
      previousCount = count;
      if (next >= samples.size()) {
        break;
      }
    }
    return new Plot.Series(
        name,
        x.stream().mapToDouble(Double::doubleValue).toArray(),
        y.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Linear interpolation between the samples around {@code count}. */
  private double secondsWhenPassed(double count) {
    for (int i = 1; i < samples.size(); i++) {
      long[] before = samples.get(i - 1);
      long[] after = samples.get(i);
      if (after[1] >= count) {
        double share = after[1] == before[1] ? 1 : (count - before[1]) / (after[1] - before[1]);
        return (before[0] + share * (after[0] - before[0]) - startNanos) / 1e9;
      }
    }
    return Double.NaN;
  }
}
