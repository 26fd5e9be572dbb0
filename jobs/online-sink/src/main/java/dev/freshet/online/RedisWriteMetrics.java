package dev.freshet.online;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The online sink's metrics of its script calls to Redis, in the writer's metric group. Updated
 * from Lettuce's I/O thread when a call completes, so every metric here is thread-safe: a counter
 * of that kind, a histogram whose window is synchronized, and gauges that read what the writer
 * keeps for its own use in thread-safe form.
 */
final class RedisWriteMetrics {

  static final String WRITE_MICROS = "redisWriteMicros";
  static final String WRITE_ERRORS = "redisWriteErrors";
  static final String ROWS_WAITING = "redisRowsWaiting";
  static final String OLDEST_WAIT_MS = "redisOldestWaitMs";
  static final String DISCONNECTS = "redisDisconnects";
  static final String WRITE_RETRIES = "redisWriteRetries";

  /** How many of the latest acknowledged calls the round-trip percentiles describe. */
  static final int WRITE_MICROS_WINDOW = 1024;

  /** Microseconds, because a local Redis replies in well under a millisecond. */
  private final Histogram writeMicros;

  private final Counter writeErrors;
  private final Counter disconnects;
  private final Counter writeRetries;

  /**
   * @param rowsWaiting rows sent (or held by the client while Redis is away) and not yet
   *     acknowledged; at {@code maxInFlight} the writer blocks
   * @param oldestWaitMillis how long the oldest of those rows has waited, 0 when none waits; the
   *     writer fails the job when it reaches the outage tolerance
   */
  RedisWriteMetrics(
      MetricGroup writerGroup, LongSupplier rowsWaiting, LongSupplier oldestWaitMillis) {
    this.writeMicros =
        writerGroup.histogram(
            WRITE_MICROS, new DescriptiveStatisticsHistogram(WRITE_MICROS_WINDOW));
    this.writeErrors = writerGroup.counter(WRITE_ERRORS, new ThreadSafeSimpleCounter());
    this.disconnects = writerGroup.counter(DISCONNECTS, new ThreadSafeSimpleCounter());
    this.writeRetries = writerGroup.counter(WRITE_RETRIES, new ThreadSafeSimpleCounter());
    writerGroup.gauge(ROWS_WAITING, (Gauge<Long>) rowsWaiting::getAsLong);
    writerGroup.gauge(OLDEST_WAIT_MS, (Gauge<Long>) oldestWaitMillis::getAsLong);
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

  /** The connection to Redis was lost; the client reconnects and sends the held rows again. */
  void disconnected() {
    disconnects.inc();
  }

  /**
   * A call sent again because the connection broke under it or Redis answered that it could not run
   * it yet (LOADING, BUSY).
   */
  void retried() {
    writeRetries.inc();
  }
}
