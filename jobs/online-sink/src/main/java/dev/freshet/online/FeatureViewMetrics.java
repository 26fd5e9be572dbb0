package dev.freshet.online;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The online sink's metrics of one feature view. Updated from Lettuce's I/O thread when Redis
 * replies, so its counter is thread-safe.
 *
 * <p>Freshness and rows written are not here: they matter per contract, which the sink does not
 * know, so the job measures them through an {@link OnlineWriteListener}.
 */
final class FeatureViewMetrics {

  static final String GROUP_KEY = "feature_view";
  static final String ROWS_SKIPPED = "onlineRowsSkippedAsOlder";

  private final Counter rowsSkippedAsOlder;

  FeatureViewMetrics(MetricGroup writerGroup, String featureView) {
    MetricGroup group = writerGroup.addGroup(GROUP_KEY, featureView);
    this.rowsSkippedAsOlder = group.counter(ROWS_SKIPPED, new ThreadSafeSimpleCounter());
  }

  void skippedAsOlder() {
    rowsSkippedAsOlder.inc();
  }
}
