package dev.freshet.delta.internal;

import static dev.freshet.delta.DeltaTestTables.addActions;
import static dev.freshet.delta.DeltaTestTables.commitFiles;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.DeltaLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaLogCommitterTest {

  private static final DeltaTableSchema CLICKS = DeltaTestTables.eventsTable("clicks");
  private static final DeltaTableSchema ORDERS = DeltaTestTables.eventsTable("orders");
  private static final DeltaTableSchema FEATURES = DeltaTestTables.featureTable("features");

  @TempDir Path basePath;

  private static DeltaRow click(long id, String date) {
    return DeltaRow.of(
        "clicks", id, "user-" + id, id * 1.5, id % 2 == 0, List.of("item-" + id, "item-0"), date);
  }

  private static DeltaRow feature(String entity, Long eventTime, String date) {
    return DeltaRow.of("features", entity, eventTime, 1L, date);
  }

  private static DeltaRow order(long id) {
    return DeltaRow.of("orders", id, null, null, null, null, "2026-11-23");
  }

  private long txnVersion(String table) {
    return DeltaLog.forTable(new Configuration(), basePath.resolve(table).toString())
        .startTransaction()
        .txnVersion(SinkFixture.APP_ID);
  }

  private List<String> addedPaths(String table) {
    return addActions(basePath.resolve(table)).stream()
        .map(add -> add.get("path").asText())
        .toList();
  }

  @Test
  void closeWaitsForACancelledCommitStillWritingSoNothingWritesTheTableAfterIt() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    BlockingListener listener = new BlockingListener(order);
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS), listener);
    List<DeltaCommittable> files = fixture.write(1, click(1, "2026-11-23"));
    DeltaLogCommitter committer = fixture.freshCommitter();
    // As Flink cancels a task: it interrupts the task thread, which then closes the committer.
    Thread task =
        new Thread(
            () -> {
              try {
                SinkFixture.commit(committer, files);
                order.add("commit returned");
              } catch (Exception e) {
                order.add("commit cancelled");
              }
              committer.close();
              order.add("closed");
            });
    task.start();
    assertThat(listener.entered.await(30, TimeUnit.SECONDS)).isTrue();

    task.interrupt();
    task.join(500);
    listener.release.countDown();
    task.join(30_000);

    assertThat(order).containsExactly("commit cancelled", "listener left", "closed");
  }

  /** Holds every commit until released, deaf to interrupts as a file system write may be. */
  private static final class BlockingListener implements DeltaCommitListener {
    final transient CountDownLatch entered = new CountDownLatch(1);
    final transient CountDownLatch release = new CountDownLatch(1);
    private final transient List<String> order;

    BlockingListener(List<String> order) {
      this.order = order;
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      entered.countDown();
      boolean interrupted = false;
      while (release.getCount() > 0) {
        try {
          release.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      order.add("listener left");
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void firstCommitCreatesTheTableWithProtocolMetadataAndRelativePaths() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    List<DeltaCommittable> files = fixture.write(1, click(1, "2026-11-23"), click(2, "2026-11-24"));

    SinkFixture.commit(fixture.freshCommitter(), files);

    Path table = basePath.resolve("clicks");
    List<JsonNode> firstCommit = DeltaTestTables.actions(commitFiles(table).get(0));
    assertThat(firstCommit).anyMatch(action -> action.has("protocol"));
    JsonNode metadata =
        firstCommit.stream().filter(action -> action.has("metaData")).findFirst().orElseThrow();
    assertThat(metadata.get("metaData").get("partitionColumns").get(0).asText())
        .isEqualTo("event_date");
    assertThat(metadata.get("metaData").get("schemaString").asText())
        .contains("\"name\":\"user_name\",\"type\":\"string\",\"nullable\":true");
    for (JsonNode add : addActions(table)) {
      assertThat(add.get("path").asText()).startsWith("event_date=2026-11-2").doesNotContain(":");
      assertThat(add.get("stats").isTextual()).isTrue();
      assertThat(DeltaTestTables.parseJson(add.get("stats").asText()).get("numRecords").asLong())
          .isEqualTo(1);
    }
    JsonNode txn =
        firstCommit.stream().filter(action -> action.has("txn")).findFirst().orElseThrow();
    assertThat(txn.get("txn").get("appId").asText()).isEqualTo(SinkFixture.APP_ID);
    assertThat(txn.get("txn").get("version").asLong()).isEqualTo(1);
    assertThat(readRows(table, CLICKS))
        .containsExactlyInAnyOrder(click(1, "2026-11-23"), click(2, "2026-11-24"));
  }

  @Test
  void commitInfoRecordsAStreamingUpdateWithJsonEncodedParameters() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));

    SinkFixture.commit(fixture.freshCommitter(), fixture.write(7, click(1, "2026-11-23")));

    JsonNode commitInfo =
        DeltaTestTables.actions(commitFiles(basePath.resolve("clicks")).get(0)).stream()
            .filter(action -> action.has("commitInfo"))
            .findFirst()
            .orElseThrow()
            .get("commitInfo");
    assertThat(commitInfo.get("operation").asText()).isEqualTo("STREAMING UPDATE");
    assertThat(commitInfo.get("operationParameters").get("outputMode").asText())
        .isEqualTo("Append");
    assertThat(commitInfo.get("operationParameters").get("epochId").asText()).isEqualTo("7");
    assertThat(commitInfo.get("operationParameters").get("queryId").asText())
        .isEqualTo(SinkFixture.APP_ID);
    assertThat(commitInfo.get("operationMetrics").get("numOutputRows").asText()).isEqualTo("1");
    assertThat(commitInfo.get("engineInfo").asText()).startsWith("freshet-delta-sink/0.1 ");
  }

  @Test
  void sameCheckpointCommittedAgainByAFreshCommitterAddsNothing() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS, ORDERS));
    List<DeltaCommittable> files = fixture.write(3, click(1, "2026-11-23"), order(2));
    SinkFixture.commit(fixture.freshCommitter(), files);

    List<TestCommitRequest> replay = SinkFixture.commit(fixture.committerRestoredFrom(3), files);

    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(commitFiles(basePath.resolve("clicks"))).hasSize(1);
    assertThat(commitFiles(basePath.resolve("orders"))).hasSize(1);
    assertThat(addedPaths("clicks")).doesNotHaveDuplicates().hasSize(1);
    assertThat(readRows(basePath.resolve("orders"), ORDERS)).containsExactly(order(2));
  }

  @Test
  void checkpointsArrivingTogetherAreCommittedInAscendingOrder() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    List<DeltaCommittable> checkpoint5 = fixture.write(5, click(5, "2026-11-23"));
    List<DeltaCommittable> checkpoint4 = fixture.write(4, click(4, "2026-11-23"));
    List<DeltaCommittable> outOfOrder = new ArrayList<>(checkpoint5);
    outOfOrder.addAll(checkpoint4);

    SinkFixture.commit(fixture.freshCommitter(), outOfOrder);

    List<Long> recordedVersions = new ArrayList<>();
    for (Path commit : commitFiles(basePath.resolve("clicks"))) {
      DeltaTestTables.actions(commit).stream()
          .filter(action -> action.has("txn"))
          .forEach(action -> recordedVersions.add(action.get("txn").get("version").asLong()));
    }
    assertThat(recordedVersions).containsExactly(4L, 5L);
    assertThat(readRows(basePath.resolve("clicks"), CLICKS))
        .containsExactlyInAnyOrder(click(4, "2026-11-23"), click(5, "2026-11-23"));
  }

  @Test
  void lateCheckpointAtOrBelowTheRecordedVersionIsTreatedAsCommitted() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    DeltaLogCommitter committer = fixture.freshCommitter();
    SinkFixture.commit(committer, fixture.write(6, click(6, "2026-11-23")));

    List<TestCommitRequest> late =
        SinkFixture.commit(committer, fixture.write(5, click(5, "2026-11-23")));

    assertThat(late)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(txnVersion("clicks")).isEqualTo(6);
    assertThat(commitFiles(basePath.resolve("clicks"))).hasSize(1);
  }

  @Test
  void firstCommitAfterRestoreDropsFilesAlreadyInTheTable() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    List<DeltaCommittable> committedBeforeFailure = fixture.write(4, click(4, "2026-11-23"));
    SinkFixture.commit(fixture.freshCommitter(), committedBeforeFailure);
    // Checkpoint 5 re-delivers a file the table already references, next to a new one.
    List<DeltaCommittable> checkpoint5 = new ArrayList<>();
    committedBeforeFailure.forEach(file -> checkpoint5.add(file.withCheckpointId(5)));
    checkpoint5.addAll(fixture.write(5, click(5, "2026-11-23")));

    SinkFixture.commit(fixture.committerRestoredFrom(5), checkpoint5);

    assertThat(addedPaths("clicks")).hasSize(2).doesNotHaveDuplicates();
    assertThat(txnVersion("clicks")).isEqualTo(5);
    assertThat(readRows(basePath.resolve("clicks"), CLICKS))
        .containsExactlyInAnyOrder(click(4, "2026-11-23"), click(5, "2026-11-23"));
  }

  @Test
  void endOfInputIsRecordedAsTheNextVersionNeverAsLongMaxValue() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    SinkFixture.commit(fixture.freshCommitter(), fixture.write(3, click(3, "2026-11-23")));
    List<DeltaCommittable> endOfInput =
        fixture.write(DeltaLogCommitter.END_OF_INPUT, click(4, "2026-11-23"));

    SinkFixture.commit(fixture.committerRestoredFrom(3), endOfInput);
    List<TestCommitRequest> replay =
        SinkFixture.commit(fixture.committerRestoredFrom(4), endOfInput);

    assertThat(txnVersion("clicks")).isEqualTo(4);
    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(addedPaths("clicks")).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void jobStartedWithoutStateRefusesAnAppIdTheTableAlreadyRecords() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    SinkFixture.commit(fixture.freshCommitter(), fixture.write(9, click(1, "2026-11-23")));
    List<DeltaCommittable> fromScratch = fixture.write(1, click(2, "2026-11-23"));

    assertThatThrownBy(() -> SinkFixture.commit(fixture.freshCommitter(), fromScratch))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'clicks' already records transaction version 9")
        .hasMessageContaining("app id '" + SinkFixture.APP_ID + "'")
        .hasMessageContaining("started without Flink state")
        .hasMessageContaining("new appId");
    assertThat(readRows(basePath.resolve("clicks"), CLICKS)).hasSize(1);
  }

  @Test
  void jobRestoredFromAnOlderCheckpointThanTheTableRecordsIsRefused() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    SinkFixture.commit(fixture.freshCommitter(), fixture.write(9, click(1, "2026-11-23")));
    List<DeltaCommittable> afterOldRestore = fixture.write(6, click(2, "2026-11-23"));

    assertThatThrownBy(() -> SinkFixture.commit(fixture.committerRestoredFrom(5), afterOldRestore))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already records checkpoint 9")
        .hasMessageContaining("newer than the checkpoint 5 this job restored");
  }

  @Test
  void listenerHearsEachTableCommitWithItsVersionAndRows() throws Exception {
    Path log = basePath.resolve("listener.log");
    SinkFixture fixture =
        new SinkFixture(
            basePath.resolve("tables"), List.of(CLICKS, ORDERS), new AppendingListener(log));
    DeltaLogCommitter committer = fixture.freshCommitter();

    SinkFixture.commit(
        committer, fixture.write(1, click(1, "2026-11-23"), click(2, "2026-11-24"), order(3)));
    SinkFixture.commit(committer, fixture.write(2, order(4)));
    SinkFixture.commit(fixture.committerRestoredFrom(2), fixture.write(2, order(4)));

    // Tables of one checkpoint commit in parallel: order holds per table, not across tables.
    List<String> heard = Files.readAllLines(log);
    assertThat(heard.stream().filter(line -> line.contains("clicks")))
        .containsExactly("before clicks 1", "after clicks 1 version=0 rows=2");
    assertThat(heard.stream().filter(line -> line.contains("orders")))
        .containsExactly(
            "before orders 1",
            "after orders 1 version=0 rows=1",
            "before orders 2",
            "after orders 2 version=1 rows=1");
    assertThat(heard.indexOf("before orders 2"))
        .isGreaterThan(heard.indexOf("after clicks 1 version=0 rows=2"));
  }

  @Test
  void commitReportsItsRowsPerEventTimeMergedOverItsFilesAndWhenItBecameDurable() throws Exception {
    RecordingListener listener = new RecordingListener();
    SinkFixture fixture =
        new SinkFixture(basePath, List.of(FEATURES, CLICKS), listener, "event_time");
    List<DeltaCommittable> files =
        fixture.write(
            1,
            feature("a", 60_000L, "2026-11-23"),
            feature("b", 60_000L, "2026-11-23"),
            feature("c", 120_000L, "2026-11-23"),
            feature("d", null, "2026-11-23"),
            feature("e", 60_000L, "2026-11-24"),
            click(1, "2026-11-23"));
    assertThat(files).filteredOn(file -> file.table().equals("features")).hasSize(2);

    long before = System.currentTimeMillis();
    SinkFixture.commit(fixture.freshCommitter(), files);
    long after = System.currentTimeMillis();

    DeltaCommit features = listener.commitTo("features");
    assertThat(features.checkpointId()).isEqualTo(1);
    assertThat(features.deltaVersion()).isZero();
    assertThat(features.rows()).isEqualTo(5);
    assertThat(features.rowsByEventTime())
        .containsExactly(Map.entry(60_000L, 3L), Map.entry(120_000L, 1L));
    assertThat(features.committedAtMillis()).isBetween(before, after);
    DeltaCommit clicks = listener.commitTo("clicks");
    assertThat(clicks.rows()).isEqualTo(1);
    assertThat(clicks.rowsByEventTime()).isEmpty();
  }

  @Test
  void commitAfterRestoreReportsOnlyTheRowsOfTheFilesItAdded() throws Exception {
    SinkFixture fixture =
        new SinkFixture(basePath, List.of(FEATURES), NoOpCommitListener.INSTANCE, "event_time");
    List<DeltaCommittable> committedBeforeFailure =
        fixture.write(4, feature("a", 60_000L, "2026-11-23"));
    SinkFixture.commit(fixture.freshCommitter(), committedBeforeFailure);
    List<DeltaCommittable> checkpoint5 = new ArrayList<>();
    committedBeforeFailure.forEach(file -> checkpoint5.add(file.withCheckpointId(5)));
    checkpoint5.addAll(fixture.write(5, feature("b", 120_000L, "2026-11-24")));
    RecordingListener listener = new RecordingListener();
    SinkFixture restored = new SinkFixture(basePath, List.of(FEATURES), listener, "event_time");

    SinkFixture.commit(restored.committerRestoredFrom(5), checkpoint5);

    DeltaCommit commit = listener.commitTo("features");
    assertThat(commit.rows()).isEqualTo(1);
    assertThat(commit.rowsByEventTime()).containsExactly(Map.entry(120_000L, 1L));
  }

  @Test
  void restoredFilesOfATableTheSinkNoLongerWritesAreLeftOutAndTheOthersCommitted()
      throws Exception {
    SinkFixture before = new SinkFixture(basePath, List.of(CLICKS, FEATURES));
    List<DeltaCommittable> checkpoint3 = new ArrayList<>();
    checkpoint3.addAll(before.write(3, click(1, "2026-11-23")));
    checkpoint3.addAll(before.write(3, feature("a", 60_000L, "2026-11-23")));
    SinkFixture withoutFeatures = new SinkFixture(basePath, List.of(CLICKS));

    List<TestCommitRequest> requests =
        SinkFixture.commit(withoutFeatures.committerRestoredFrom(3), checkpoint3);

    assertThat(requests)
        .extracting(TestCommitRequest::outcome)
        .containsExactlyInAnyOrder(
            TestCommitRequest.Outcome.COMMITTED, TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(addedPaths("clicks")).hasSize(1);
    assertThat(basePath.resolve("features").resolve("_delta_log")).doesNotExist();
  }

  @Test
  void listenerIsOpenedWithTheCommitterMetricGroupBeforeAnyCommit() throws Exception {
    RecordingMetricGroup metricGroup = new RecordingMetricGroup();
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS), new CountingListener());

    SinkFixture.commit(
        fixture.freshCommitter(metricGroup), fixture.write(1, click(1, "2026-11-23")));

    assertThat(metricGroup.metric(CountingListener.COMMITS, Counter.class).getCount()).isEqualTo(1);
  }

  @Test
  void failureFromTheListenerAfterACommitDoesNotRepeatTheCommit() throws Exception {
    SinkFixture failing = new SinkFixture(basePath, List.of(CLICKS), new FailingAfterCommit());
    List<DeltaCommittable> files = failing.write(1, click(1, "2026-11-23"));

    assertThatThrownBy(() -> SinkFixture.commit(failing.freshCommitter(), files))
        .hasMessage("injected after commit");
    SinkFixture restored = new SinkFixture(basePath, List.of(CLICKS));
    List<TestCommitRequest> replay = SinkFixture.commit(restored.committerRestoredFrom(1), files);

    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(addedPaths("clicks")).hasSize(1);
  }

  @Test
  void commitThatKeepsFailingFailsNamingTableCheckpointAndAttempts() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    List<DeltaCommittable> files = fixture.write(1, click(1, "2026-11-23"));
    // A plain file where the log directory belongs makes every commit attempt fail.
    Files.createFile(basePath.resolve("clicks").resolve("_delta_log"));

    assertThatThrownBy(() -> SinkFixture.commit(fixture.freshCommitter(), files))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Could not commit checkpoint 1 to Delta table 'clicks'")
        .hasMessageContaining("after 3 attempts")
        .hasCauseInstanceOf(Exception.class);
  }

  @Test
  void unstampedCommittableIsRejected() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(CLICKS));
    List<DeltaCommittable> unstamped =
        fixture.write(1, click(1, "2026-11-23")).stream()
            .map(file -> file.withCheckpointId(DeltaCommittable.NO_CHECKPOINT))
            .toList();

    assertThatThrownBy(() -> SinkFixture.commit(fixture.freshCommitter(), unstamped))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without checkpoint id");
  }

  /** Appends one line per call to a file, so the test reads what the committer reported. */
  private static final class AppendingListener implements DeltaCommitListener {
    private final Path log;

    AppendingListener(Path log) {
      this.log = log;
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      append("before " + table + " " + checkpointId);
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      append(
          "after "
              + commit.table()
              + " "
              + commit.checkpointId()
              + " version="
              + commit.deltaVersion()
              + " rows="
              + commit.rows());
    }

    private void append(String line) {
      try {
        Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Keeps every commit it hears of; tables commit on parallel threads. */
  private static final class RecordingListener implements DeltaCommitListener {
    private final Queue<DeltaCommit> commits = new ConcurrentLinkedQueue<>();

    @Override
    public void afterCommit(DeltaCommit commit) {
      commits.add(commit);
    }

    DeltaCommit commitTo(String table) {
      List<DeltaCommit> toTable =
          commits.stream().filter(commit -> commit.table().equals(table)).toList();
      assertThat(toTable).as("commits to %s", table).hasSize(1);
      return toTable.get(0);
    }
  }

  /** Counts the commits it hears of in a counter it registers when opened. */
  private static final class CountingListener implements DeltaCommitListener {
    static final String COMMITS = "commitsHeard";
    private transient Counter commits;

    @Override
    public void open(MetricGroup committerMetricGroup) {
      commits = committerMetricGroup.counter(COMMITS);
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      commits.inc();
    }
  }

  private static final class FailingAfterCommit implements DeltaCommitListener {
    @Override
    public void afterCommit(DeltaCommit commit) {
      throw new IllegalStateException("injected after commit");
    }
  }
}
