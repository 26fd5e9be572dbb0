package dev.freshet.delta.internal;

import static dev.freshet.delta.DeltaTestTables.addActions;
import static dev.freshet.delta.DeltaTestTables.commitFiles;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaSink;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another writer's commits that land between the committer reading the log and committing, and that
 * retrying cannot get past: what the sink then does to the table (nothing) and to the job (fails
 * it, on every restart, with the reason).
 */
class DeltaLogCommitterConflictTest {

  private static final DeltaTableSchema CLICKS = DeltaTestTables.eventsTable("clicks");

  @TempDir Path basePath;

  private final RecordingMetricGroup committerMetrics = new RecordingMetricGroup();

  private static DeltaRow click(long id) {
    return DeltaRow.of("clicks", id, null, id * 1.5, null, null, "2026-11-23");
  }

  private long commitConflicts() {
    return committerMetrics
        .subgroup(DeltaSink.TABLE_METRIC_GROUP, "clicks")
        .metric(DeltaSink.COMMIT_CONFLICTS_METRIC, Counter.class)
        .getCount();
  }

  private Path table() {
    return basePath.resolve("clicks");
  }

  @Test
  void overwriteWithAnIncompatibleSchemaDuringACommitFailsItOnEveryRestartNamingTheColumn()
      throws Exception {
    SinkFixture fixture =
        new SinkFixture(
            basePath,
            List.of(CLICKS),
            new AnotherWriterCommitsFirst(basePath.toString(), 2, Change.OVERWRITE_AMOUNT_AS_TEXT));
    DeltaLogCommitter committer = fixture.freshCommitter(committerMetrics);
    SinkFixture.commit(committer, fixture.write(1, click(1)));
    List<DeltaCommittable> checkpoint2 = fixture.write(2, click(2));
    String expectedMessage =
        "Delta table 'clicks' at "
            + fixture.settings().tableRoot("clicks")
            + " cannot take the sink's schema: column 'amount' is string in the table but double"
            + " in the sink.";

    // The first attempt loses to the overwrite (MetadataChangedException); the retry reads the
    // new schema and gives up, since no further attempt could change it.
    assertThatThrownBy(() -> SinkFixture.commit(committer, checkpoint2))
        .isInstanceOf(SchemaEvolution.IncompatibleSchemaException.class)
        .hasMessageStartingWith(expectedMessage);
    assertThat(commitConflicts()).isEqualTo(1);
    assertThatThrownBy(() -> SinkFixture.commit(fixture.committerRestoredFrom(1), checkpoint2))
        .as("the same commit after the job restored")
        .isInstanceOf(SchemaEvolution.IncompatibleSchemaException.class)
        .hasMessageStartingWith(expectedMessage);

    assertThat(commitFiles(table())).as("the sink's version 0 and the overwrite").hasSize(2);
    assertThat(readRows(table(), CLICKS)).as("what the overwrite left").isEmpty();
  }

  @Test
  void filesRemovedByAnotherWriterDuringACommitNeitherConflictNorComeBackOnReplay()
      throws Exception {
    SinkFixture fixture =
        new SinkFixture(
            basePath,
            List.of(CLICKS),
            new AnotherWriterCommitsFirst(basePath.toString(), 2, Change.DELETE_EVERY_FILE));
    List<DeltaCommittable> checkpoint1 = fixture.write(1, click(1));
    List<DeltaCommittable> checkpoint2 = fixture.write(2, click(2));
    DeltaLogCommitter committer = fixture.freshCommitter(committerMetrics);
    SinkFixture.commit(committer, checkpoint1);

    List<TestCommitRequest> committed = SinkFixture.commit(committer, checkpoint2);
    List<DeltaCommittable> bothCheckpoints = new ArrayList<>(checkpoint1);
    bothCheckpoints.addAll(checkpoint2);
    List<TestCommitRequest> replayed =
        SinkFixture.commit(fixture.committerRestoredFrom(2), bothCheckpoints);

    // The sink's transaction read no files, so a delete does not conflict with its blind append
    // (ConflictChecker.checkForDeletedFilesAgainstCurrentTxnReadFiles).
    assertThat(committed)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.COMMITTED);
    assertThat(commitConflicts()).isZero();
    assertThat(replayed)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(readRows(table(), CLICKS)).containsExactly(click(2));
    assertThat(addActions(table()))
        .extracting(add -> add.get("path").asText())
        .doesNotHaveDuplicates()
        .hasSize(2);
  }

  enum Change {
    /** Replaces the table's rows and retypes its {@code amount} column from double to string. */
    OVERWRITE_AMOUNT_AS_TEXT,
    /** Removes every file of the table, as a DELETE of all rows does. */
    DELETE_EVERY_FILE
  }

  /**
   * Commits its change to the table right before the sink's first attempt of one checkpoint, after
   * that attempt has read the log.
   */
  private static final class AnotherWriterCommitsFirst implements DeltaCommitListener {
    private final String basePath;
    private final long checkpointId;
    private final Change change;

    AnotherWriterCommitsFirst(String basePath, long checkpointId, Change change) {
      this.basePath = basePath;
      this.checkpointId = checkpointId;
      this.change = change;
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      if (checkpointId != this.checkpointId) {
        return;
      }
      DeltaLog log = DeltaLog.forTable(new Configuration(), basePath + "/" + table);
      Snapshot snapshot = log.update();
      OptimisticTransaction transaction = log.startTransaction();
      List<Action> actions = new ArrayList<>();
      for (AddFile file : snapshot.getAllFiles()) {
        actions.add(file.remove());
      }
      Operation operation =
          switch (change) {
            case OVERWRITE_AMOUNT_AS_TEXT -> {
              // Delta accepts an incompatible schema only when the commit removes every file.
              actions.add(
                  transaction
                      .metadata()
                      .copyBuilder()
                      .schema(withAmountAsText(transaction.metadata().getSchema()))
                      .build());
              yield new Operation(Operation.Name.WRITE, Map.of("mode", "\"Overwrite\""));
            }
            case DELETE_EVERY_FILE -> new Operation(Operation.Name.DELETE);
          };
      transaction.commit(actions, operation, "another-writer");
    }

    private static StructType withAmountAsText(StructType schema) {
      return new StructType(
          Arrays.stream(schema.getFields())
              .map(
                  field ->
                      field.getName().equals("amount")
                          ? new StructField("amount", new StringType(), true)
                          : field)
              .toArray(StructField[]::new));
    }
  }
}
