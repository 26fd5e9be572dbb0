package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.localflink.LocalFlinkCluster;
import dev.freshet.localstack.LoopbackPorts;
import dev.freshet.testsupport.KafkaRecords;
import dev.freshet.testsupport.KafkaTestBroker;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job on a real local session cluster (a JobManager and a TaskManager process), driven only
 * through featurectl's commands: submit with one contract, see its Delta rows, upgrade to two
 * contracts (stop with a savepoint, resubmit, restore), and find that the first contract's lifetime
 * counts continued from the savepoint, with no gap and no double counting, while the added one
 * counted only what came after the upgrade; then upgrade again without the added contract, which it
 * says; and a job already upgraded cannot be upgraded a second time.
 */
class ClusterUpgradeITCase {

  private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
  private static final List<String> USERS = List.of("user-a", "user-b", "user-c", "user-d");
  private static final Pattern JOB_ID = Pattern.compile("job ([0-9a-f]{32})");
  private static final Duration ROWS_DEADLINE = Duration.ofSeconds(120);

  @TempDir Path tmp;

  private LocalFlinkCluster cluster;

  @BeforeEach
  void startCluster() throws Exception {
    cluster =
        LocalFlinkCluster.start(
            tmp.resolve("cluster"),
            LocalFlinkCluster.Settings.defaults()
                .withRestPort(0)
                .withMetricsPorts(Integer.toString(LoopbackPorts.pickFree(1)[0])));
  }

  @AfterEach
  void stopCluster() throws Exception {
    cluster.stop();
  }

  @Test
  void upgradesRestoreStateAddedContractsStartAtTheUpgradeRemovedOnesAreDropped() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String behaviourTopic = "behaviour-" + id;
    BROKER.createTopics(Map.of(behaviourTopic, 2, "file-" + id, 1, "dead-letters-" + id, 1));
    Path delta = tmp.resolve("delta");
    Path contracts = contractsDir("v1", "total_plays");
    String[] common = {
      "--flink",
      cluster.restUri().toString(),
      "--submissions-dir",
      tmp.resolve("submissions").toString()
    };

    long start = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    Map<String, Integer> firstBatch = produce(behaviourTopic, start, 0, 40);

    String submitted =
        featurectl(
            concat(
                new String[] {"submit", "--contracts", contracts.toString()},
                common,
                new String[] {
                  "--bootstrap-servers",
                  BROKER.bootstrapServers(),
                  "--delta-path",
                  delta.toString(),
                  "--parallelism",
                  "2",
                  "--",
                  "--behaviour-topic",
                  behaviourTopic,
                  "--file-topic",
                  "file-" + id,
                  "--dead-letter-topic",
                  "dead-letters-" + id,
                  "--consumer-group",
                  "upgrade-" + id,
                  // The file topic stays empty, and its source holds the watermark back until it
                  // counts as idle: a second here instead of the default minute at every start.
                  "--idleness-ms",
                  "1000"
                }));
    String firstJob = jobId(submitted);
    assertThat(featurectl(concat(new String[] {"jobs"}, common)))
        .contains(firstJob)
        .contains("RUNNING");
    assertThat(awaitLatestCounts(delta.resolve("total_plays"), firstBatch))
        .as("lifetime plays per user after the first batch")
        .isEqualTo(firstBatch);

    Path twoContracts = contractsDir("v2", "total_plays", "recent_plays");
    String upgraded =
        featurectl(
            concat(
                new String[] {"upgrade", firstJob, "--contracts", twoContracts.toString()},
                common));
    assertThat(upgraded)
        .contains("stopped: job " + firstJob + " with savepoint")
        .contains("contracts added [recent_plays], removed []")
        .doesNotContain("allowNonRestoredState");
    String secondJob =
        jobId(upgraded.substring(upgraded.indexOf("upgraded:")).replace(firstJob, ""));
    assertThat(secondJob).isNotEqualTo(firstJob);
    Map<String, Integer> secondBatch = produce(behaviourTopic, start, 1, 25);

    Map<String, Integer> both = new TreeMap<>(firstBatch);
    secondBatch.forEach((user, plays) -> both.merge(user, plays, Integer::sum));
    assertThat(awaitLatestCounts(delta.resolve("total_plays"), both))
        .as("lifetime plays per user: the savepoint's counts continued, nothing lost or doubled")
        .isEqualTo(both);
    assertThat(awaitLatestCounts(delta.resolve("recent_plays"), secondBatch))
        .as("the added contract counts from the savepoint's Kafka offsets on")
        .isEqualTo(secondBatch);

    String downgraded =
        featurectl(
            concat(
                new String[] {"upgrade", secondJob, "--contracts", contracts.toString()}, common));
    assertThat(downgraded)
        .contains("removed contracts [recent_plays]: restoring with allowNonRestoredState")
        .contains("contracts added [], removed [recent_plays]");
    String thirdJob =
        jobId(downgraded.substring(downgraded.indexOf("upgraded:")).replace(secondJob, ""));
    assertThat(failingFeaturectl(concat(new String[] {"upgrade", firstJob}, common)))
        .as("a second upgrade of a job already upgraded")
        .contains("job " + firstJob + " was already upgraded to job " + secondJob);
    Map<String, Integer> thirdBatch = produce(behaviourTopic, start, 2, 10);
    Map<String, Integer> all = new TreeMap<>(both);
    thirdBatch.forEach((user, plays) -> all.merge(user, plays, Integer::sum));
    assertThat(awaitLatestCounts(delta.resolve("total_plays"), all))
        .as("lifetime plays per user after a contract was removed")
        .isEqualTo(all);
    assertThat(featurectl(concat(new String[] {"jobs"}, common)))
        .containsPattern(firstJob + "\\s+FINISHED")
        .containsPattern(secondJob + "\\s+FINISHED")
        .containsPattern(thirdJob + "\\s+RUNNING");
  }

  /**
   * Plays of every user in one minute of event time (minute {@code 2 * batch} after {@code start}),
   * then one play of a clock user a minute and a half later, which moves the watermark past the
   * minute so that its windows close.
   *
   * @return plays per listed user
   */
  private Map<String, Integer> produce(String topic, long start, int batch, int playsPerUser)
      throws Exception {
    long minute = start + batch * 120_000L;
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Map<String, Integer> plays = new TreeMap<>();
    int n = 0;
    for (int i = 0; i < playsPerUser; i++) {
      for (int u = 0; u < USERS.size(); u++) {
        if ((i + u) % 3 == 0 && i > 0) {
          continue; // users differ in their counts
        }
        String user = USERS.get(u);
        records.add(play(topic, user, "b" + batch + "-" + n++, minute + (i * 1_000L) % 60_000));
        plays.merge(user, 1, Integer::sum);
      }
    }
    records.add(play(topic, "clock", "b" + batch + "-clock", minute + 90_000));
    KafkaRecords.produce(BROKER.bootstrapServers(), records);
    return plays;
  }

  private static ProducerRecord<byte[], byte[]> play(
      String topic, String user, String eventId, long ts) {
    String json =
        "{\"event_id\":\""
            + eventId
            + "\",\"user_id\":\""
            + user
            + "\",\"song_id\":\"song-1\",\"artist_id\":\"artist-1\",\"action\":\"play\",\"ts\":"
            + ts
            + "}";
    return new ProducerRecord<>(
        topic, user.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  /** total_plays (lifetime) and recent_plays (lifetime too, added by the upgrade). */
  private Path contractsDir(String name, String... contracts) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("contracts-" + name));
    for (String contract : contracts) {
      Files.writeString(
          dir.resolve(contract + ".yaml"),
          """
          name: %s
          version: 1
          owner: test
          description: plays per user since the contract started
          source: { stream: behaviour }
          entity: { name: user, keys: [{ field: user_id, type: string }] }
          features:
            - name: plays
              type: long
              aggregation: count
              filter: action == 'play'
              window: { type: lifetime, hop: 10s }
          state_ttl: 1d
          freshness_sla: 30s
          offline: { table: %s }
          """
              .formatted(contract, contract));
    }
    return dir;
  }

  /** The latest row's count per listed user once it equals {@code expected}, or at the deadline. */
  private Map<String, Integer> awaitLatestCounts(Path table, Map<String, Integer> expected)
      throws Exception {
    long deadline = System.nanoTime() + ROWS_DEADLINE.toNanos();
    Map<String, Integer> latest = Map.of();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(table.resolve("_delta_log"))) {
        latest = latestCounts(table);
        if (latest.equals(expected)) {
          return latest;
        }
      }
      Thread.sleep(1_000);
    }
    return latest;
  }

  private static Map<String, Integer> latestCounts(Path table) throws Exception {
    Snapshot snapshot = DeltaLog.forTable(new Configuration(), table.toString()).update();
    Map<String, Long> times = new HashMap<>();
    Map<String, Integer> counts = new TreeMap<>();
    Set<String> userTimes = new HashSet<>();
    try (CloseableIterator<RowRecord> rows = snapshot.open()) {
      while (rows.hasNext()) {
        RowRecord row = rows.next();
        String user = row.getString("user_id");
        long time = row.getLong("feature_time");
        assertThat(userTimes.add(user + "@" + time))
            .as("one row per user and feature time in %s (a file committed twice?)", table)
            .isTrue();
        if (USERS.contains(user) && time >= times.getOrDefault(user, Long.MIN_VALUE)) {
          times.put(user, time);
          counts.put(user, (int) row.getLong("plays"));
        }
      }
    }
    return counts;
  }

  private static String featurectl(String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exitCode = cli.execute(arguments);
    assertThat(exitCode).as("featurectl %s: %s%s", String.join(" ", arguments), out, err).isZero();
    return out.toString();
  }

  /** Runs a command that must fail; returns what it wrote to stderr. */
  private static String failingFeaturectl(String... arguments) {
    StringWriter err = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute(arguments))
        .as("featurectl %s", String.join(" ", arguments))
        .isEqualTo(1);
    return err.toString();
  }

  private static String jobId(String output) {
    Matcher matcher = JOB_ID.matcher(output);
    assertThat(matcher.find()).as("a job id in: %s", output).isTrue();
    return matcher.group(1);
  }

  private static String[] concat(String[]... parts) {
    List<String> all = new ArrayList<>();
    for (String[] part : parts) {
      all.addAll(List.of(part));
    }
    return all.toArray(String[]::new);
  }
}
