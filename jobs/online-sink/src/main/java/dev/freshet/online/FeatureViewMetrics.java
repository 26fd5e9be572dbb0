package dev.freshet.online;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The online sink's metrics of one feature view. Updated from Lettuce's I/O thread when Redis
 * acknowledges a write, so every metric here is safe to update from another thread than the one
 * that reads it: thread-safe counters, and a histogram whose window is synchronized.
 */
final class FeatureViewMetrics {

  static final String GROUP_KEY = "feature_view";
  static final String FRESHNESS = "onlineFreshnessMs";
  static final String ROWS_WRITTEN = "onlineRowsWritten";
  static final String ROWS_SKIPPED = "onlineRowsSkippedAsOlder";

  /** How many of the latest written rows the freshness percentiles describe. */
  static final int FRESHNESS_WINDOW = 1024;

  private final Histogram freshnessMs;
  private final Counter rowsWritten;
  private final Counter rowsSkippedAsOlder;

  FeatureViewMetrics(MetricGroup writerGroup, String featureView) {
    MetricGroup group = writerGroup.addGroup(GROUP_KEY, featureView);
    this.freshnessMs =
        group.histogram(FRESHNESS, new DescriptiveStatisticsHistogram(FRESHNESS_WINDOW));
    this.rowsWritten = group.counter(ROWS_WRITTEN, new ThreadSafeSimpleCounter());
    this.rowsSkippedAsOlder = group.counter(ROWS_SKIPPED, new ThreadSafeSimpleCounter());
  }

  /**
   * @param acknowledgedAtMillis wall-clock time of Redis's acknowledgement: freshness is about when
   *     a value became servable, so it is measured on the clock a reader of the store lives by, not
   *     in event time
   */
  void written(long eventTimeMillis, long acknowledgedAtMillis) {
    rowsWritten.inc();
    freshnessMs.update(acknowledgedAtMillis - eventTimeMillis);
  }

  /** A skipped row made no value servable, so it has no freshness. */
  void skippedAsOlder() {
    rowsSkippedAsOlder.inc();
  }
}
