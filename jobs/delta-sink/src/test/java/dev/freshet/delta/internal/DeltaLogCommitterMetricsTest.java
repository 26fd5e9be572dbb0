package dev.freshet.delta.internal;

import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaSink;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.SetTransaction;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committer's per-table metrics, read back from the metric group they were registered on. */
class DeltaLogCommitterMetricsTest {

  private static final DeltaTableSchema CLICKS = DeltaTestTables.eventsTable("clicks");
  private static final DeltaTableSchema ORDERS = DeltaTestTables.eventsTable("orders");

  @TempDir Path basePath;

  private final RecordingMetricGroup committerMetrics = new RecordingMetricGroup();

  private static DeltaRow row(String table, long id) {
    return DeltaRow.of(table, id, null, null, null, null, "2026-11-23");
  }

  private long tableVersion(String table) {
    return (Long)
        tableMetrics(table).metric(DeltaSink.TABLE_VERSION_METRIC, Gauge.class).getValue();
  }

  private Histogram commitMillis(String table) {
    return tableMetrics(table).metric(DeltaSink.COMMIT_MILLIS_METRIC, Histogram.class);
  }

  private long commitConflicts(String table) {
    return tableMetrics(table).metric(DeltaSink.COMMIT_CONFLICTS_METRIC, Counter.class).getCount();
  }

  private RecordingMetricGroup tableMetrics(String table) {
    return committerMetrics.subgroup(DeltaSink.TABLE_METRIC_GROUP, table);
  }

  @Test
  void everyTableOfTheSinkHasItsMetricsAsSoonAsTheCommitterExists() {
    new SinkFixture(basePath, List.of(CLICKS, ORDERS)).freshCommitter(committerMetrics);

    for (String table : List.of("clicks", "orders")) {
      assertThat(tableVersion(table)).as("%s version", table).isEqualTo(-1);
      assertThat(commitMillis(table).getCount()).as("%s commits", table).isZero();
      assertThat(commitConflicts(table)).as("%s conflicts", table).isZero();
    }
  }

  @Test
  void metricsFollowTheCommitsOfTheirTableButNotTheSkippedOnes() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS, ORDERS));
    DeltaLogCommitter committer = fixture.freshCommitter(committerMetrics);

    SinkFixture.commit(committer, fixture.write(1, row("clicks", 1), row("orders", 2)));
    SinkFixture.commit(committer, fixture.write(2, row("orders", 3)));
    List<TestCommitRequest> late =
        SinkFixture.commit(committer, fixture.write(2, row("orders", 4)));

    assertThat(late)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(tableVersion("clicks")).isZero();
    assertThat(commitMillis("clicks").getCount()).isEqualTo(1);
    assertThat(tableVersion("orders")).isEqualTo(1);
    assertThat(commitMillis("orders").getCount()).isEqualTo(2);
    assertThat(commitMillis("orders").getStatistics().getMin()).isNotNegative();
    assertThat(commitConflicts("orders")).isZero();
  }

  @Test
  void attemptThatLosesToACommitWithTheSameAppIdIsCountedAndRetried() throws Exception {
    SinkFixture fixture =
        new SinkFixture(
            basePath,
            List.of(CLICKS),
            new AnotherWriterCommitsFirst(basePath.toString(), 2, Winner.SAME_APP_ID));
    DeltaLogCommitter committer = fixture.freshCommitter(committerMetrics);

    SinkFixture.commit(committer, fixture.write(1, row("clicks", 1)));
    List<TestCommitRequest> checkpoint2 =
        SinkFixture.commit(committer, fixture.write(2, row("clicks", 2)));

    assertThat(checkpoint2)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.COMMITTED);
    assertThat(commitConflicts("clicks")).isEqualTo(1);
    // Version 1 is the other writer's.
    assertThat(tableVersion("clicks")).isEqualTo(2);
    assertThat(commitMillis("clicks").getCount()).isEqualTo(2);
    assertThat(readRows(basePath.resolve("clicks"), CLICKS))
        .containsExactlyInAnyOrder(row("clicks", 1), row("clicks", 2));
  }

  @Test
  void attemptThatLosesToAnotherWritersMetadataChangeIsCountedAndRetried() throws Exception {
    SinkFixture fixture =
        new SinkFixture(
            basePath,
            List.of(CLICKS),
            new AnotherWriterCommitsFirst(basePath.toString(), 2, Winner.METADATA_CHANGE));
    DeltaLogCommitter committer = fixture.freshCommitter(committerMetrics);

    SinkFixture.commit(committer, fixture.write(1, row("clicks", 1)));
    SinkFixture.commit(committer, fixture.write(2, row("clicks", 2)));

    assertThat(commitConflicts("clicks")).isEqualTo(1);
    assertThat(tableVersion("clicks")).isEqualTo(2);
    assertThat(readRows(basePath.resolve("clicks"), CLICKS))
        .containsExactlyInAnyOrder(row("clicks", 1), row("clicks", 2));
  }

  enum Winner {
    /** A second instance of the job, re-recording the checkpoint the table already holds. */
    SAME_APP_ID,
    /** Another engine changing the table's metadata. */
    METADATA_CHANGE
  }

  /**
   * Commits to the table right before the sink's first attempt of one checkpoint, after that
   * attempt has read the log, so the attempt conflicts.
   */
  private static final class AnotherWriterCommitsFirst implements DeltaCommitListener {
    private final String basePath;
    private final long checkpointId;
    private final Winner winner;

    AnotherWriterCommitsFirst(String basePath, long checkpointId, Winner winner) {
      this.basePath = basePath;
      this.checkpointId = checkpointId;
      this.winner = winner;
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      if (checkpointId != this.checkpointId) {
        return;
      }
      DeltaLog log = DeltaLog.forTable(new Configuration(), basePath + "/" + table);
      OptimisticTransaction transaction = log.startTransaction();
      Action change =
          switch (winner) {
            case SAME_APP_ID ->
                new SetTransaction(
                    SinkFixture.APP_ID,
                    transaction.txnVersion(SinkFixture.APP_ID),
                    Optional.empty());
            case METADATA_CHANGE ->
                transaction.metadata().copyBuilder().description("another writer").build();
          };
      transaction.commit(
          List.of(change), new Operation(Operation.Name.MANUAL_UPDATE), "another-writer");
    }
  }
}
