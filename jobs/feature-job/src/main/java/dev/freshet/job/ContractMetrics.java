package dev.freshet.job;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The job's metrics per contract: their names, their labels, and the freshness one sink gives one
 * contract's rows. A contract's metrics live in the key-value group {@value #CONTRACT} (the
 * contract id, e.g. {@code host_file_activity_v3}), those of a sink in the nested group {@value
 * #SINK} ({@code delta} or {@code online}); Flink's Prometheus reporter turns both into labels. The
 * names are public behaviour: docs/metrics.md, the Grafana dashboard and the alert rules use them.
 */
final class ContractMetrics {

  static final String CONTRACT = "contract";
  static final String SINK = "sink";
  static final String DELTA = "delta";
  static final String ONLINE = "online";

  /** Gauge: the contract's {@code freshness_sla} in milliseconds, the line freshness is held to. */
  static final String FRESHNESS_SLA_MS = "freshnessSlaMs";

  /** Counter: events that arrived after their window closed and went to the dead-letter topic. */
  static final String LATE_EVENTS = "lateEvents";

  /**
   * Counter: events on which one of the contract's expressions failed at run time (a division by
   * zero, an overflow, the iteration budget); such an event adds nothing to the features whose
   * expression failed.
   */
  static final String EXPRESSION_ERRORS = "expressionErrors";

  /** Histogram: availability time minus event time of the latest rows a sink made available. */
  static final String FRESHNESS_MS = "freshnessMs";

  /** Counter: rows a sink made available (committed to Delta, acknowledged by Redis). */
  static final String ROWS_WRITTEN = "rowsWritten";

  /** Counter: those of them available within the contract's SLA. */
  static final String ROWS_WITHIN_SLA = "rowsWithinSla";

  /** How many of the latest rows the freshness percentiles of one subtask describe. */
  static final int FRESHNESS_WINDOW = 1024;

  private ContractMetrics() {}

  static MetricGroup contractGroup(MetricGroup operatorGroup, String contractId) {
    return operatorGroup.addGroup(CONTRACT, contractId);
  }

  /**
   * The freshness of one contract's rows in one sink. Safe to update from several threads (the
   * Delta committer's table threads, Lettuce's I/O thread): thread-safe counters and a histogram
   * whose window is synchronized.
   */
  static final class SinkFreshness {

    private final long slaMillis;
    private final Histogram freshnessMs;
    private final Counter rowsWritten;
    private final Counter rowsWithinSla;

    SinkFreshness(MetricGroup operatorGroup, String contractId, String sink, long slaMillis) {
      MetricGroup group = contractGroup(operatorGroup, contractId).addGroup(SINK, sink);
      this.slaMillis = slaMillis;
      this.freshnessMs =
          group.histogram(FRESHNESS_MS, new DescriptiveStatisticsHistogram(FRESHNESS_WINDOW));
      this.rowsWritten = group.counter(ROWS_WRITTEN, new ThreadSafeSimpleCounter());
      this.rowsWithinSla = group.counter(ROWS_WITHIN_SLA, new ThreadSafeSimpleCounter());
    }

    /**
     * {@code rows} rows of one event time became available at {@code availableAtMillis}, a
     * wall-clock time: freshness is about when a reader can see a value, so it is measured on the
     * reader's clock, not in event time.
     */
    void available(long eventTimeMillis, long availableAtMillis, long rows) {
      long freshness = availableAtMillis - eventTimeMillis;
      rowsWritten.inc(rows);
      if (freshness <= slaMillis) {
        rowsWithinSla.inc(rows);
      }
      // More updates of one value than the window holds would only evict it and refill it.
      long updates = Math.min(rows, FRESHNESS_WINDOW);
      for (long i = 0; i < updates; i++) {
        freshnessMs.update(freshness);
      }
    }
  }
}
