package dev.freshet.delta;

import static dev.freshet.delta.DeltaTestTables.actions;
import static dev.freshet.delta.DeltaTestTables.addActions;
import static dev.freshet.delta.DeltaTestTables.commitFiles;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the sink in a real Flink job, fails the job once right after a checkpoint and once right
 * after a Delta commit, and checks that both tables end up with every row exactly once and a log
 * another reader can use, and that the committer exported its per-table metrics.
 */
class DeltaSinkExactlyOnceITCase {

  private static final int PARALLELISM = 2;
  private static final long ROW_COUNT = 1_200;
  private static final int ROWS_PER_CHECKPOINT = 150;
  private static final DeltaTableSchema CLICKS = DeltaTestTables.eventsTable("clicks");
  private static final DeltaTableSchema ORDERS = DeltaTestTables.eventsTable("orders");

  // Keeps the metrics of finished tasks, so the committers of every attempt can be read afterwards.
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

  static DeltaRow rowFor(long id) {
    return DeltaRow.of(
        id % 2 == 0 ? "clicks" : "orders",
        id,
        id % 5 == 0 ? null : "user-" + (id % 17),
        id % 7 == 0 ? null : id * 0.25,
        id % 3 == 0 ? null : id % 4 == 0,
        topItems(id),
        "2026-11-" + (21 + id % 3));
  }

  /** Null, empty, or up to three items in an order that is not sorted, so a reorder shows. */
  private static List<String> topItems(long id) {
    return switch ((int) (id % 6)) {
      case 0 -> null;
      case 1 -> List.of();
      default -> List.of("sku-" + id, "sku-9", "sku-" + (id % 4)).subList(0, (int) (id % 3) + 1);
    };
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyRowLandsExactlyOnceDespiteFailuresAfterACheckpointAndAfterACommit() throws Exception {
    Path tables = workDir.resolve("tables");
    Path mapFailureMarker = workDir.resolve("failed-after-checkpoint");
    Path commitFailureMarker = workDir.resolve("failed-after-commit");
    Path committerThreads = workDir.resolve("committer-threads");

    Configuration configuration = new Configuration();
    configuration.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(200));
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
    configuration.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(configuration);
    env.setParallelism(PARALLELISM);

    DataGeneratorSource<Long> ids =
        new DataGeneratorSource<>(
            new SequenceNumbers(),
            ROW_COUNT,
            RateLimiterStrategy.perCheckpoint(ROWS_PER_CHECKPOINT),
            Types.LONG);
    DeltaSink sink =
        DeltaSink.builder()
            .basePath(tables.toUri().toString())
            .tables(List.of(CLICKS, ORDERS))
            .appId("exactly-once-itcase")
            .commitListener(
                new FailOnceAfterCommit(
                    commitFailureMarker.toString(), 3, committerThreads.toString()))
            .build();

    env.fromSource(ids, WatermarkStrategy.noWatermarks(), "Row ids")
        .map(new FailOnceAfterCheckpoints(mapFailureMarker.toString(), 2))
        .name("Fail once after a checkpoint")
        .map(new ToDeltaRow())
        .name("To Delta rows")
        .sinkTo(sink)
        .name("Delta")
        .uid("delta-sink");
    JobID job = env.execute("delta-sink-exactly-once").getJobID();

    assertThat(mapFailureMarker).as("the failure after a checkpoint happened").exists();
    assertThat(commitFailureMarker).as("the failure after a Delta commit happened").exists();
    assertThat(Files.readAllLines(committerThreads))
        .as("task threads that committed to Delta")
        .isNotEmpty()
        .allSatisfy(thread -> assertThat(thread).contains("(1/" + PARALLELISM + ")"));

    List<DeltaRow> expectedClicks = new ArrayList<>();
    List<DeltaRow> expectedOrders = new ArrayList<>();
    for (long id = 0; id < ROW_COUNT; id++) {
      (id % 2 == 0 ? expectedClicks : expectedOrders).add(rowFor(id));
    }
    assertThat(readRows(tables.resolve("clicks"), CLICKS))
        .containsExactlyInAnyOrderElementsOf(expectedClicks);
    assertThat(readRows(tables.resolve("orders"), ORDERS))
        .containsExactlyInAnyOrderElementsOf(expectedOrders);
    assertLogIsValidForAnotherReader(tables.resolve("clicks"), expectedClicks);
    assertLogIsValidForAnotherReader(tables.resolve("orders"), expectedOrders);
    assertCommitterMetricsFollowedTheLog(job, "clicks", tables.resolve("clicks"));
    assertCommitterMetricsFollowedTheLog(job, "orders", tables.resolve("orders"));
  }

  /**
   * Reads the table's metrics of every committer of the job (both subtasks, every attempt): the
   * latest version one of them reports is the log's, and they measured no more commits than the log
   * holds. (A commit that became durable while its task was being cancelled may go unmeasured, so
   * the count is not pinned exactly here; DeltaLogCommitterMetricsTest pins it.)
   */
  private static void assertCommitterMetricsFollowedTheLog(
      JobID job, String table, Path tableRoot) {
    long commits = commitFiles(tableRoot).size();
    List<MetricGroup> tableGroups = new ArrayList<>();
    long latestVersion = -1;
    long measuredCommits = 0;
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        METRICS.getMetricsByGroup().entrySet()) {
      Map<String, String> variables = group.getKey().getAllVariables();
      if (!job.toString().equals(variables.get("<job_id>"))
          || !table.equals(variables.get("<" + DeltaSink.TABLE_METRIC_GROUP + ">"))) {
        continue;
      }
      tableGroups.add(group.getKey());
      Map<String, Metric> metrics = group.getValue();
      Gauge<?> version = (Gauge<?>) metrics.get(DeltaSink.TABLE_VERSION_METRIC);
      latestVersion = Math.max(latestVersion, (Long) version.getValue());
      measuredCommits += ((Histogram) metrics.get(DeltaSink.COMMIT_MILLIS_METRIC)).getCount();
      assertThat(metrics).containsKey(DeltaSink.COMMIT_CONFLICTS_METRIC);
    }
    assertThat(tableGroups).as("metric groups of table %s", table).isNotEmpty();
    // What Flink's Prometheus reporter turns into flink_taskmanager_job_task_operator_table_<name>.
    assertThat(tableGroups)
        .extracting(
            group -> ((AbstractMetricGroup<?>) group).getLogicalScope(CharacterFilter.NO_OP_FILTER))
        .containsOnly("taskmanager.job.task.operator." + DeltaSink.TABLE_METRIC_GROUP);
    assertThat(latestVersion).as("latest version of %s", table).isEqualTo(commits - 1);
    assertThat(measuredCommits)
        .as("measured commits of %s", table)
        .isPositive()
        .isLessThanOrEqualTo(commits);
  }

  private static void assertLogIsValidForAnotherReader(Path table, List<DeltaRow> expectedRows) {
    List<Path> commits = commitFiles(table);
    assertThat(commits).as("commits of %s", table).hasSizeGreaterThan(1);
    List<JsonNode> firstCommit = actions(commits.get(0));
    assertThat(firstCommit).anyMatch(action -> action.has("protocol"));
    assertThat(firstCommit).anyMatch(action -> action.has("metaData"));

    List<JsonNode> adds = addActions(table);
    List<String> paths = adds.stream().map(add -> add.get("path").asText()).toList();
    assertThat(paths).as("file paths across all versions").doesNotHaveDuplicates();
    assertThat(paths)
        .allSatisfy(
            path -> {
              assertThat(path).doesNotStartWith("/").doesNotContain(":");
              assertThat(table.resolve(path)).exists();
            });
    long rowsInStats = 0;
    long nullListsInStats = 0;
    for (JsonNode add : adds) {
      assertThat(add.get("stats").isTextual()).as("stats is a JSON string").isTrue();
      JsonNode stats = DeltaTestTables.parseJson(add.get("stats").asText());
      rowsInStats += stats.get("numRecords").asLong();
      nullListsInStats += stats.get("nullCount").get("top_items").asLong();
    }
    assertThat(rowsInStats).isEqualTo(expectedRows.size());
    assertThat(nullListsInStats)
        .isEqualTo(expectedRows.stream().filter(row -> row.value(4) == null).count());

    List<Long> recordedCheckpoints = new ArrayList<>();
    for (Path commit : commits) {
      actions(commit).stream()
          .filter(action -> action.has("txn"))
          .forEach(action -> recordedCheckpoints.add(action.get("txn").get("version").asLong()));
    }
    assertThat(recordedCheckpoints).hasSameSizeAs(commits).isSorted().doesNotHaveDuplicates();
    assertThat(recordedCheckpoints).doesNotContain(Long.MAX_VALUE);
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

  /** Creates the marker and returns true only for the first caller across all restarts. */
  private static boolean claimOnce(String marker) {
    try {
      Files.createFile(Path.of(marker));
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Throws once, on the first row after the given number of completed checkpoints. */
  private static final class FailOnceAfterCheckpoints
      implements MapFunction<Long, Long>, CheckpointListener {
    private final String marker;
    private final int checkpointsBeforeFailure;
    private int completedCheckpoints;

    FailOnceAfterCheckpoints(String marker, int checkpointsBeforeFailure) {
      this.marker = marker;
      this.checkpointsBeforeFailure = checkpointsBeforeFailure;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      completedCheckpoints++;
    }

    @Override
    public Long map(Long id) {
      if (completedCheckpoints >= checkpointsBeforeFailure && claimOnce(marker)) {
        throw new IllegalStateException("Injected failure after checkpoint, at row " + id);
      }
      return id;
    }
  }

  /**
   * Throws once from the committer, right after a Delta commit became durable. It also notes the
   * name of each committing task thread, which carries the subtask index.
   */
  private static final class FailOnceAfterCommit implements DeltaCommitListener {
    private final String marker;
    private final long fromCheckpoint;
    private final String threadLog;

    FailOnceAfterCommit(String marker, long fromCheckpoint, String threadLog) {
      this.marker = marker;
      this.fromCheckpoint = fromCheckpoint;
      this.threadLog = threadLog;
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      try {
        Files.writeString(
            Path.of(threadLog),
            Thread.currentThread().getName() + System.lineSeparator(),
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (commit.checkpointId() >= fromCheckpoint && claimOnce(marker)) {
        throw new IllegalStateException(
            "Injected failure after committing checkpoint "
                + commit.checkpointId()
                + " to "
                + commit.table());
      }
    }
  }
}
