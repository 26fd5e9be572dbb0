package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaSink;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The committer's metrics of one table (listed in {@link DeltaSink}), in the key-value group {@code
 * table=<name>} of the committer's metric group.
 *
 * <p>Table threads update them, one commit of a table at a time but not always on the same thread,
 * while reporters read them: the histogram synchronizes itself, the version is volatile and the
 * counter is thread-safe.
 */
final class TableCommitMetrics {

  private static final long NO_VERSION_COMMITTED = -1;

  // The most recent commits, one per checkpoint: at a checkpoint every few seconds that is several
  // minutes of commits, and a reporter copies only 128 values per report.
  private static final int COMMIT_DURATION_WINDOW = 128;

  private final Histogram commitMillis;
  private final Counter commitConflicts;
  private volatile long latestCommittedVersion = NO_VERSION_COMMITTED;

  TableCommitMetrics(MetricGroup committerMetricGroup, String tableName) {
    MetricGroup table = committerMetricGroup.addGroup(DeltaSink.TABLE_METRIC_GROUP, tableName);
    commitMillis =
        table.histogram(
            DeltaSink.COMMIT_MILLIS_METRIC,
            new DescriptiveStatisticsHistogram(COMMIT_DURATION_WINDOW));
    table.gauge(DeltaSink.TABLE_VERSION_METRIC, (Gauge<Long>) () -> latestCommittedVersion);
    commitConflicts =
        table.counter(DeltaSink.COMMIT_CONFLICTS_METRIC, new ThreadSafeSimpleCounter());
  }

  /**
   * @param millisSinceFirstAttempt from the start of the commit's first attempt until it was
   *     durable
   */
  void committed(long version, long millisSinceFirstAttempt) {
    commitMillis.update(millisSinceFirstAttempt);
    latestCommittedVersion = version;
  }

  void attemptConflicted() {
    commitConflicts.inc();
  }
}
