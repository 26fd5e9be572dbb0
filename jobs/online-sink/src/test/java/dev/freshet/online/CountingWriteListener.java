package dev.freshet.online;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * Counts the rows it hears in a counter of its own in the writer's metric group, the way a job's
 * listener measures per contract. Works after Flink serialized the sink, and a test reads its count
 * from a metric reporter, not from static state.
 */
final class CountingWriteListener implements OnlineWriteListener {

  private static final long serialVersionUID = 1L;

  static final String ROWS_HEARD = "rowsHeardByListener";

  /** Registered by {@link #open} in each deserialized copy. */
  private transient Counter rowsHeard;

  @Override
  public void open(MetricGroup writerMetricGroup) {
    rowsHeard = writerMetricGroup.counter(ROWS_HEARD, new ThreadSafeSimpleCounter());
  }

  @Override
  public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
    rowsHeard.inc();
  }
}
