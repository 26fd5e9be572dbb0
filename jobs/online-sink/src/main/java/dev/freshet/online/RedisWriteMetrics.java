package dev.freshet.online;

import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The online sink's metrics of its script calls to Redis, in the writer's metric group. Updated
 * from Lettuce's I/O thread when a call completes, so every metric here is thread-safe: a counter
 * of that kind, and a histogram whose window is synchronized.
 */
final class RedisWriteMetrics {

  static final String WRITE_MICROS = "redisWriteMicros";
  static final String WRITE_ERRORS = "redisWriteErrors";

  /** How many of the latest acknowledged calls the round-trip percentiles describe. */
  static final int WRITE_MICROS_WINDOW = 1024;

  /** Microseconds, because a local Redis replies in well under a millisecond. */
  private final Histogram writeMicros;

  private final Counter writeErrors;

  RedisWriteMetrics(MetricGroup writerGroup) {
    this.writeMicros =
        writerGroup.histogram(
            WRITE_MICROS, new DescriptiveStatisticsHistogram(WRITE_MICROS_WINDOW));
    this.writeErrors = writerGroup.counter(WRITE_ERRORS, new ThreadSafeSimpleCounter());
  }

  /**
   * @param roundTripNanos from sending the call to Redis's reply, on {@link System#nanoTime()}
   */
  void acknowledged(long roundTripNanos) {
    writeMicros.update(TimeUnit.NANOSECONDS.toMicros(roundTripNanos));
  }

  /** A call that failed or timed out; every one counts, not only the one that fails the job. */
  void failed() {
    writeErrors.inc();
  }
}
