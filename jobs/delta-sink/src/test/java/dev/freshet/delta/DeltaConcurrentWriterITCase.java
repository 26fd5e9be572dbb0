package dev.freshet.delta;

import static dev.freshet.delta.DeltaTestTables.actions;
import static dev.freshet.delta.DeltaTestTables.addActions;
import static dev.freshet.delta.DeltaTestTables.commitFiles;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the sink in a Flink job that checkpoints (and so commits) every 100 ms while another engine
 * keeps committing to the same Delta table for the whole run, and checks that both writers' rows
 * are in the table exactly once.
 *
 * <p>What delta-standalone 3.3.2 does when two writers race (delta-io/delta,
 * connectors/standalone/src/main/scala/io/delta/standalone/internal/: {@code
 * OptimisticTransactionImpl.doCommitRetryIteratively} and {@code
 * getNextCommitVersionOrFailIfConflictsDetected}, {@code ConflictChecker.checkConflicts}): when the
 * version a commit wants already exists, the transaction checks every commit made since its read
 * version and, finding no logical conflict, writes at the next version inside the same {@code
 * commit()} call. The sink's transactions read no files and only the sink's app id, so another
 * writer's blind append never conflicts with them (a {@code ConcurrentAppendException} needs read
 * predicates, a {@code ConcurrentDeleteReadException} read or removed files, a {@code
 * ConcurrentTransactionException} a winner's {@code SetTransaction} for an app id the transaction
 * read). A winner carrying a {@code Metadata} action does: {@code checkNoMetadataUpdates} throws a
 * {@code MetadataChangedException}, a {@code DeltaConcurrentModificationException} that the
 * committer counts in {@value DeltaSink#COMMIT_CONFLICTS_METRIC} and retries with a fresh plan. So
 * the other writer's appends race the sink without failing its commits, and its table property
 * changes exercise the committer's retry path; each change can fail at most one attempt, since the
 * retry reads the log past it.
 *
 * <p>The other writer commits 50 ms after its previous commit ended (a busy streaming writer) and
 * changes a table property with every 3rd commit, far more often than a table's properties change
 * in practice: a third to a half of the changes land while a sink commit is open, and about twenty
 * changes per run make a run without a single conflict very unlikely. The changes stay a few of the
 * other writer's commits apart, so a retry does not meet the next one, and the sink keeps its
 * default of 3 attempts. The job runs with no restart strategy, so a commit that runs out of
 * attempts fails the test instead of being healed by a restore.
 *
 * <p>Both writers commit through {@link PutIfAbsentLocalLogStore}: with delta-standalone's default
 * store for local paths two writers could both win one version, and the test would blame the sink
 * for rows the file system dropped.
 */
class DeltaConcurrentWriterITCase {

  private static final int PARALLELISM = 2;
  private static final long JOB_ROWS = 1_400;
  private static final int JOB_ROWS_PER_CHECKPOINT = 50;
  private static final String APP_ID = "concurrent-writer-itcase";
  private static final DeltaTableSchema CLICKS = DeltaTestTables.eventsTable("clicks");

  private static final long FIRST_OTHER_WRITER_ROW_ID = 1_000_000;
  private static final int OTHER_WRITER_ROWS_PER_APPEND = 6;
  private static final int OTHER_WRITER_METADATA_CHANGE_EVERY = 3;
  private static final Duration OTHER_WRITER_PAUSE = Duration.ofMillis(50);

  // Keeps the metrics of finished tasks, so the committer's conflicts can be read after the job.
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(PARALLELISM)
              .build());

  @TempDir Path workDir;

  /** Ids below {@link #FIRST_OTHER_WRITER_ROW_ID} are the job's, the others the other writer's. */
  static DeltaRow rowFor(long id) {
    return DeltaRow.of(
        "clicks",
        id,
        id % 5 == 0 ? null : "user-" + (id % 17),
        id % 7 == 0 ? null : id * 0.25,
        id % 3 == 0 ? null : id % 4 == 0,
        id % 6 == 0 ? null : List.of("sku-" + id, "sku-" + (id % 4)),
        "2026-11-" + (21 + id % 3));
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sinkAndAnotherWriterRaceOnOneTableAndEveryRowOfBothLandsExactlyOnce() throws Exception {
    Path tables = workDir.resolve("tables");
    Path table = tables.resolve(CLICKS.tableName());
    ConcurrentTableWriter otherWriter =
        new ConcurrentTableWriter(
            tables,
            CLICKS,
            PutIfAbsentLocalLogStore.HADOOP_CONFIGURATION,
            DeltaConcurrentWriterITCase::rowFor,
            FIRST_OTHER_WRITER_ROW_ID,
            OTHER_WRITER_ROWS_PER_APPEND,
            OTHER_WRITER_METADATA_CHANGE_EVERY);
    otherWriter.createTable();

    Configuration configuration = new Configuration();
    configuration.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(configuration);
    env.setParallelism(PARALLELISM);
    DataGeneratorSource<Long> ids =
        new DataGeneratorSource<>(
            new SequenceNumbers(),
            JOB_ROWS,
            RateLimiterStrategy.perCheckpoint(JOB_ROWS_PER_CHECKPOINT),
            Types.LONG);
    DeltaSink sink =
        DeltaSink.builder()
            .basePath(tables.toUri().toString())
            .tables(List.of(CLICKS))
            .appId(APP_ID)
            .hadoopConfiguration(PutIfAbsentLocalLogStore.HADOOP_CONFIGURATION)
            .build();
    env.fromSource(ids, WatermarkStrategy.noWatermarks(), "Row ids")
        .map(new ToDeltaRow())
        .name("To Delta rows")
        .sinkTo(sink)
        .name("Delta")
        .uid("delta-sink");

    JobID job;
    try (otherWriter) {
      otherWriter.start(OTHER_WRITER_PAUSE);
      job = env.execute("delta-sink-concurrent-writer").getJobID();
    }

    List<DeltaRow> expectedRows = new ArrayList<>();
    for (long id = 0; id < JOB_ROWS; id++) {
      expectedRows.add(rowFor(id));
    }
    expectedRows.addAll(otherWriter.committedRows());
    assertThat(readRows(table, CLICKS))
        .as("rows of the job and of the other writer")
        .containsExactlyInAnyOrderElementsOf(expectedRows);
    assertThat(addActions(table))
        .extracting(add -> add.get("path").asText())
        .as("data files added across all versions")
        .doesNotHaveDuplicates();

    List<LogCommit> commits = logCommits(table);
    List<LogCommit> otherWriterCommits =
        commits.stream().filter(commit -> !commit.bySink()).toList();
    List<LogCommit> sinkCommits = commits.stream().filter(LogCommit::bySink).toList();
    assertThat(otherWriterCommits)
        .as("the other writer's commits in the log: creation, appends, property changes")
        .hasSize(1 + otherWriter.appends() + otherWriter.metadataChanges());
    assertThat(otherWriter.appends()).isPositive();
    assertThat(otherWriter.metadataChanges()).isPositive();
    assertThat(sinkCommits)
        .extracting(LogCommit::sinkCheckpoint)
        .as("checkpoints the sink recorded, one commit each")
        .doesNotContainNull()
        .isSorted()
        .doesNotHaveDuplicates();
    // Version 0, the table's creation, precedes every sink commit anyway.
    List<LogCommit> otherWriterChanges = otherWriterCommits.subList(1, otherWriterCommits.size());
    assertThat(sinkCommits)
        .as("sink commits between two appends or property changes of the other writer")
        .anySatisfy(
            sinkCommit -> {
              assertThat(otherWriterChanges)
                  .anyMatch(other -> other.version() < sinkCommit.version());
              assertThat(otherWriterChanges)
                  .anyMatch(other -> other.version() > sinkCommit.version());
            });
    // A sink commit written past versions the other writer took while it was open: the blind
    // append race that delta-standalone resolves without an exception.
    assertThat(sinkCommits)
        .as("sink commits that landed past a version committed after their read version")
        .anyMatch(commit -> commit.version() > commit.readVersion() + 1);

    long conflicts = committerConflicts(job, CLICKS.tableName());
    assertThat(conflicts)
        .as("sink commit attempts that lost to a property change and were retried")
        .isPositive()
        .isLessThanOrEqualTo(otherWriter.metadataChanges());
    assertThat(DeltaTestTables.tableProperties(table))
        .as("the retried sink commits kept the other writer's latest table property")
        .containsEntry(
            ConcurrentTableWriter.CHANGE_NUMBER_PROPERTY,
            Integer.toString(otherWriter.metadataChanges()));
  }

  /** The conflict counter of the table, summed over the job's committers. */
  private static long committerConflicts(JobID job, String table) {
    long conflicts = 0;
    int counters = 0;
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        METRICS.getMetricsByGroup().entrySet()) {
      Map<String, String> variables = group.getKey().getAllVariables();
      if (job.toString().equals(variables.get("<job_id>"))
          && table.equals(variables.get("<" + DeltaSink.TABLE_METRIC_GROUP + ">"))) {
        conflicts += ((Counter) group.getValue().get(DeltaSink.COMMIT_CONFLICTS_METRIC)).getCount();
        counters++;
      }
    }
    assertThat(counters).as("conflict counters of table %s", table).isPositive();
    return conflicts;
  }

  /**
   * One version of the log: who wrote it, the version its transaction read, and for the sink's the
   * checkpoint it recorded (null in the other writer's).
   */
  private record LogCommit(long version, boolean bySink, long readVersion, Long sinkCheckpoint) {}

  private static List<LogCommit> logCommits(Path table) {
    List<LogCommit> commits = new ArrayList<>();
    for (Path commitFile : commitFiles(table)) {
      long version = Long.parseLong(commitFile.getFileName().toString().replace(".json", ""));
      JsonNode commitInfo = null;
      Long sinkCheckpoint = null;
      for (JsonNode action : actions(commitFile)) {
        if (action.has("commitInfo")) {
          commitInfo = action.get("commitInfo");
        } else if (action.has("txn") && APP_ID.equals(action.get("txn").get("appId").asText())) {
          sinkCheckpoint = action.get("txn").get("version").asLong();
        }
      }
      assertThat(commitInfo).as("commitInfo of version %s", version).isNotNull();
      boolean byOtherWriter =
          commitInfo.get("engineInfo").asText().startsWith(ConcurrentTableWriter.ENGINE_INFO);
      // The table's first version has read nothing, so it records no read version.
      long readVersion =
          commitInfo.has("readVersion") ? commitInfo.get("readVersion").asLong() : -1;
      commits.add(new LogCommit(version, !byOtherWriter, readVersion, sinkCheckpoint));
    }
    return commits;
  }

  private static final class SequenceNumbers implements GeneratorFunction<Long, Long> {
    @Override
    public void open(SourceReaderContext readerContext) {}

    @Override
    public Long map(Long index) {
      return index;
    }
  }

  private static final class ToDeltaRow implements MapFunction<Long, DeltaRow> {
    @Override
    public DeltaRow map(Long id) {
      return rowFor(id);
    }
  }
}
