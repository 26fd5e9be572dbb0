package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.events.Event;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.FileTrace;
import dev.freshet.events.FileTraceGenerator;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.testsupport.ConsumedRecord;
import dev.freshet.testsupport.KafkaRecords;
import dev.freshet.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature job end to end on a MiniCluster with a real Kafka broker and real Delta tables:
 * produce known events, run the job over them, read the tables back and compare with features
 * computed independently from the same events.
 */
class FeatureJobITCase {

  private static final long START = JobRun.START;
  private static final List<Contract> CONTRACTS = JobRun.CONTRACTS;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final KafkaTestBroker BROKER = JobRun.BROKER;

  @TempDir Path tmp;

  @Test
  void computesExactFeaturesOfEveryContractIntoDelta() throws Exception {
    JobRun run = new JobRun(tmp);
    List<Event> events = run.produce(EventGenerator.builder().seed(11).build(), 3_000);

    run.execute(200, DeltaCommitListener.NONE);

    for (Contract contract : CONTRACTS) {
      ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, events);
    }
  }

  @Test
  void twoVersionsOfAContractRunSideBySide() throws Exception {
    Path contractsDir = Files.createDirectories(tmp.resolve("contracts"));
    String v1 = Files.readString(Path.of("../../contracts/user_listening.yaml"));
    String v2 =
        v1.replace("version: 1", "version: 2")
            .replace("size: 1m, hop: 10s", "size: 2m, hop: 20s")
            .replace("filter: action == 'skip'", "filter: \"action in ['skip', 'search']\"");
    assertThat(v2).isNotEqualTo(v1.replace("version: 1", "version: 2"));
    Files.writeString(contractsDir.resolve("user_listening.yaml"), v1);
    Files.writeString(contractsDir.resolve("user_listening_v2.yaml"), v2);
    List<Contract> versions = new ContractLoader().loadDirectory(contractsDir);
    JobRun run = new JobRun(tmp);
    List<Event> events = run.produce(EventGenerator.builder().seed(31).build(), 2_000);

    run.execute(200, DeltaCommitListener.NONE, versions);

    assertThat(versions)
        .extracting(Contract::tableName)
        .containsExactly("user_listening", "user_listening_v2");
    for (Contract version : versions) {
      List<FeatureRow> expected = ReferenceFeatures.compute(List.of(version), events);
      assertThat(OfflineTableReader.read(run.deltaPath, version))
          .as(version.id())
          .isNotEmpty()
          .usingElementComparator(ReferenceTables::compareWithinRounding)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
    List<FeatureRow> v2AsV1 =
        ReferenceFeatures.compute(List.of(versions.get(1)), events).stream()
            .map(
                row ->
                    new FeatureRow(
                        versions.get(0).id(), row.entityKey, row.featureTime, row.values))
            .toList();
    assertThat(ReferenceFeatures.compute(List.of(versions.get(0)), events))
        .as("the versions compute different features")
        .isNotEqualTo(v2AsV1);
  }

  @Test
  void exactlyOnceThroughFailuresAfterACheckpointAndAroundTheGlobalCommit() throws Exception {
    JobRun run = new JobRun(tmp);
    // 300 listeners keep every distinct_count below the 384 values an lg_k 12 HLL sketch counts
    // exactly, so the tables can be compared with exact counts; the sketch's error bound beyond
    // that is TileAggregatorTest's to check.
    List<Event> events = run.produce(EventGenerator.builder().seed(23).users(300).build(), 20_000);
    Path markers = Files.createDirectories(tmp.resolve("markers"));
    FailOnceAroundCommit failures = new FailOnceAroundCommit(markers.toString());

    run.execute(150, failures);

    assertThat(markers.resolve(FailOnceAroundCommit.BEFORE_COMMIT)).exists();
    assertThat(markers.resolve(FailOnceAroundCommit.AFTER_COMMIT)).exists();
    for (Contract contract : CONTRACTS) {
      List<String> paths = OfflineTableReader.addedPaths(run.deltaPath, contract);
      assertThat(paths).as("files of " + contract.name()).doesNotHaveDuplicates();
      ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, events);
    }
  }

  @Test
  void malformedRecordsGoToTheDeadLetterTopicAndGoodOnesAreAllProcessed() throws Exception {
    JobRun run = new JobRun(tmp);
    List<GeneratedRecord> broken = new ArrayList<>();
    List<Event> events =
        run.produce(EventGenerator.builder().seed(5).malformedShare(0.05).build(), 3_000, broken);

    run.execute(200, DeltaCommitListener.NONE);

    List<ConsumedRecord> deadLetters =
        KafkaRecords.readAll(
            BROKER.bootstrapServers(), run.deadLetterTopic, Duration.ofSeconds(30));
    assertThat(deadLetters).hasSize(broken.size());
    assertThat(deadLetters.stream().map(ConsumedRecord::valueAsString).toList())
        .containsExactlyInAnyOrderElementsOf(
            broken.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
    Map<String, Long> reasons =
        deadLetters.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.headerAsString(DeadLetterSerializer.REASON_HEADER),
                    Collectors.counting()));
    assertThat(reasons.keySet())
        .isNotEmpty()
        .isSubsetOf("not_json", "wrong_type", "unknown_value", "missing_field");
    // The file truth assumes every observation arrives intact; a broken one changes what its
    // partner means (a lone half, a single report), so only behaviour features compare exactly.
    List<Contract> behaviourContracts =
        CONTRACTS.stream().filter(c -> c.source() == EventStream.BEHAVIOUR).toList();
    assertThat(behaviourContracts).hasSize(7);
    for (Contract contract : behaviourContracts) {
      ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, events);
    }
  }

  @Test
  void fileContractsCountTheTrueChangesBehindAHundredThousandObservations() throws Exception {
    // 40 hosts keep the files changed per host and hour below the 384 an lg_k 12 HLL sketch
    // counts exactly (checked below), so distinct counts compare exactly too.
    FileTrace trace =
        FileTraceGenerator.builder()
            .seed(17)
            .hosts(40)
            .startMillis(START)
            .build()
            .generate(100_000);
    List<Contract> fileContracts =
        CONTRACTS.stream().filter(c -> c.source() == EventStream.FILE).toList();
    JobRun run = new JobRun(tmp);
    run.produce(trace.observations());

    run.execute(5_000, DeltaCommitListener.NONE, fileContracts);

    assertThat(fileContracts).hasSize(5);
    for (Contract contract : fileContracts) {
      ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, trace.truth());
    }
    assertThat(
            KafkaRecords.readAll(
                BROKER.bootstrapServers(), run.deadLetterTopic, Duration.ofSeconds(5)))
        .as("no observation came too late to be placed")
        .isEmpty();
  }

  /**
   * Fails the job once just before a Delta commit (a checkpoint is complete, its commit not yet
   * made) and once just after one (the table has the commit, Flink does not know yet). Marker files
   * make each failure happen exactly once across restarts and prove it happened.
   */
  static final class FailOnceAroundCommit implements DeltaCommitListener {
    static final String BEFORE_COMMIT = "failed-before-commit";
    static final String AFTER_COMMIT = "failed-after-commit";

    private final String markerDirectory;

    FailOnceAroundCommit(String markerDirectory) {
      this.markerDirectory = markerDirectory;
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      failOnce(BEFORE_COMMIT);
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      failOnce(AFTER_COMMIT);
    }

    private void failOnce(String marker) {
      try {
        Files.createFile(Path.of(markerDirectory, marker));
      } catch (java.nio.file.FileAlreadyExistsException alreadyFailed) {
        return;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new IllegalStateException("injected failure: " + marker);
    }
  }
}
