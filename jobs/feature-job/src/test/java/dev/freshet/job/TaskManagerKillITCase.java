package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.contract.Contract;
import dev.freshet.events.Event;
import dev.freshet.events.EventGenerator;
import dev.freshet.localflink.FlinkRestClient;
import dev.freshet.localflink.LocalFlinkCluster;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.testsupport.Await;
import dev.freshet.testsupport.KafkaRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job on a real session cluster of separate JVMs, its TaskManager process killed with SIGKILL
 * at random points, several times, while it works through its input: every table must equal the
 * features computed from the input the slow way, each row once, no data file twice, and the online
 * store must hold each entity's latest offline values.
 *
 * <p>The kill points are drawn as fractions of the input and spread over the whole run: a kill
 * waits until every operator's input watermark has passed the event time at its fraction, read over
 * REST, so a long run is not killed only in its first minute.
 *
 * <p>The suite runs it on {@value #DEFAULT_RECORDS} records; {@code -Dfreshet.kill.records=1000000}
 * runs the million of issue 9, which takes far longer on two cores (docs/reliability.md).
 */
class TaskManagerKillITCase {

  private static final Logger LOG = LoggerFactory.getLogger(TaskManagerKillITCase.class);

  private static final int DEFAULT_RECORDS = 50_000;
  private static final int RECORDS = Integer.getInteger("freshet.kill.records", DEFAULT_RECORDS);
  private static final int KILLS = 3;

  /** Kill points fall in this share of the input; the end is left for the final flush. */
  private static final double FIRST_KILL_POINT = 0.05;

  private static final double LAST_KILL_POINT = 0.8;
  private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration FINISH_TIMEOUT =
      Duration.ofMinutes(10).multipliedBy(1 + RECORDS / DEFAULT_RECORDS);

  /** Longer than the event time of any input this test produces (18.5 h for a million). */
  private static final String LIFETIME_STATE_TTL = "30d";

  @TempDir Path tmp;

  @Test
  void killedTaskManagersChangeNothingInTheTables() throws Exception {
    JobRun run = new JobRun(tmp);
    // 300 listeners keep every distinct count within the range an HLL sketch counts exactly, so
    // the tables compare exactly.
    List<Event> events =
        run.produceAtLeast(EventGenerator.builder().seed(61).users(300).build(), RECORDS);
    assertThat(run.produced()).isGreaterThanOrEqualTo(RECORDS);

    Random random = new Random(97);
    List<Long> killed = new ArrayList<>();
    try (RedisServerProcess redis = RedisServerProcess.start(tmp.resolve("redis"))) {
      LocalFlinkCluster cluster =
          LocalFlinkCluster.start(
              tmp.resolve("cluster"),
              LocalFlinkCluster.Settings.defaults()
                  .withRestPort(0)
                  .withFastFailover()
                  // The heap state is snapshot whole: every second would be most of the work.
                  .with("execution.checkpointing.interval", "3 s")
                  // The watermarks that place the kills are read through the REST metrics.
                  .with("metrics.fetcher.update-interval", "1 s"));
      try {
        FlinkRestClient flink = new FlinkRestClient(cluster.restUri());
        String jobId = submit(flink, run, redis.uri(), contractsOutlivingTheInput());
        long running = cluster.taskManagerPid();
        List<Long> killPoints = killPoints(events, random);
        for (int kill = 1; kill <= KILLS; kill++) {
          awaitTasksRunning(flink, jobId);
          awaitWatermarkPast(flink, jobId, killPoints.get(kill - 1));
          assertThat(state(flink, jobId))
              .as("the job is still at work before kill %d", kill)
              .isEqualTo("RUNNING");
          long standby = cluster.startTaskManager();
          kill(running);
          killed.add(running);
          LOG.info(
              "Killed TaskManager {} ({} of {}); {} takes over", running, kill, KILLS, standby);
          running = standby;
        }
        String finalState = awaitTerminal(flink, jobId);
        assertThat(finalState)
            .as("the job after %d kills: %s", KILLS, flink.get("/jobs/" + jobId + "/exceptions"))
            .isEqualTo("FINISHED");
      } finally {
        cluster.stop();
      }

      assertThat(killed).hasSize(KILLS);
      assertThat(
              KafkaRecords.readAll(
                  JobRun.BROKER.bootstrapServers(), run.deadLetterTopic, Duration.ofSeconds(30)))
          .as("no event came late, none was malformed")
          .isEmpty();
      for (Contract contract : JobRun.CONTRACTS) {
        assertThat(OfflineTableReader.addedPaths(run.deltaPath, contract))
            .as("files of " + contract.name())
            .doesNotHaveDuplicates();
        ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, events);
      }
      OnlineStoreComparison.assertEqualsTheLatestOfflineRows(run, redis.uri());
    }
  }

  /**
   * The reference contracts, where those with lifetime windows (adaptive intervals among them) keep
   * their state for longer than the input lasts. Their values restart after a pause of state_ttl in
   * an entity's events, and whether a pause restarts them depends on whether the entity's next
   * event is read before the watermark passes the pause's end (docs/contracts.md, "Times"); the
   * reference does not model that. The other contracts keep their state_ttl, and their keys end by
   * it during a long run.
   */
  private Path contractsOutlivingTheInput() throws IOException {
    Path directory = Files.createDirectories(tmp.resolve("contracts"));
    for (Contract contract : JobRun.CONTRACTS) {
      Path file = Path.of(contract.file());
      String yaml = Files.readString(file);
      if (contract.features().stream().anyMatch(feature -> feature.window().isLifetime())) {
        String outliving =
            yaml.replaceFirst("(?m)^state_ttl: .*$", "state_ttl: " + LIFETIME_STATE_TTL);
        assertThat(outliving).as("state_ttl of " + file).isNotEqualTo(yaml);
        yaml = outliving;
      }
      Files.writeString(directory.resolve(file.getFileName()), yaml);
    }
    return directory;
  }

  private static String submit(FlinkRestClient flink, JobRun run, String redisUri, Path contracts)
      throws Exception {
    String jarId = flink.uploadJar(JobJarITCase.jobJar());
    List<String> arguments =
        List.of(
            "--contracts",
            contracts.toAbsolutePath().toString(),
            "--bootstrap-servers",
            JobRun.BROKER.bootstrapServers(),
            "--delta-path",
            run.deltaPath.toAbsolutePath().toString(),
            "--behaviour-topic",
            run.behaviourTopic,
            "--file-topic",
            run.fileTopic,
            "--dead-letter-topic",
            run.deadLetterTopic,
            "--consumer-group",
            "kill-" + run.behaviourTopic,
            "--delta-app-id",
            "kill-" + run.behaviourTopic,
            "--redis-uri",
            redisUri,
            "--bounded");
    try {
      return flink.runJar(
          jarId,
          new FlinkRestClient.RunRequest(FeatureJob.class.getName(), arguments, 1, null, false));
    } finally {
      flink.deleteJar(jarId);
    }
  }

  /** Event times at {@value #KILLS} random fractions of the input, in order. */
  private static List<Long> killPoints(List<Event> events, Random random) {
    long[] times = events.stream().mapToLong(Event::eventTime).sorted().toArray();
    List<Long> points = new ArrayList<>();
    for (int kill = 0; kill < KILLS; kill++) {
      double fraction =
          FIRST_KILL_POINT + random.nextDouble() * (LAST_KILL_POINT - FIRST_KILL_POINT);
      points.add(times[(int) (fraction * times.length)]);
    }
    points.sort(null);
    LOG.info("Kill points (event time): {} of {}..{}", points, times[0], times[times.length - 1]);
    return points;
  }

  /**
   * Waits until the lowest input watermark of the job's operators has passed {@code eventTime}.
   * Sources have no input watermark and a restored task starts without one; neither counts.
   */
  private static void awaitWatermarkPast(FlinkRestClient flink, String jobId, long eventTime) {
    // Each check is a request per vertex; twice a second is plenty for a wait of minutes.
    Await.until(
        "the watermark passes " + eventTime,
        FINISH_TIMEOUT,
        Duration.ofMillis(500),
        () -> {
          assertThat(state(flink, jobId))
              .as("the job is at work while its watermark approaches %d", eventTime)
              .isEqualTo("RUNNING");
          return lowestInputWatermark(flink, jobId) >= eventTime;
        });
  }

  private static long lowestInputWatermark(FlinkRestClient flink, String jobId) {
    long lowest = Long.MAX_VALUE;
    for (JsonNode vertex : get(flink, "/jobs/" + jobId).path("vertices")) {
      JsonNode subtasks =
          get(flink, "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/watermarks");
      for (JsonNode subtask : subtasks) {
        long watermark = subtask.path("value").asLong(Long.MIN_VALUE);
        if (watermark != Long.MIN_VALUE) {
          lowest = Math.min(lowest, watermark);
        }
      }
    }
    return lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
  }

  private static void kill(long pid) throws InterruptedException {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    assertThat(process).as("TaskManager %d is alive before its kill", pid).isPresent();
    process.get().destroyForcibly();
    process.get().onExit().join();
  }

  private static void awaitTasksRunning(FlinkRestClient flink, String jobId) {
    Await.until(
        "the job's tasks run again",
        RESTORE_TIMEOUT,
        () -> tasksRunning(get(flink, "/jobs/" + jobId)));
  }

  private static boolean tasksRunning(JsonNode job) {
    if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      String status = vertex.path("status").asText();
      // A bounded source's task may have finished already.
      if (!status.equals("RUNNING") && !status.equals("FINISHED")) {
        return false;
      }
    }
    return true;
  }

  private static String awaitTerminal(FlinkRestClient flink, String jobId) {
    List<String> terminal = List.of("FINISHED", "FAILED", "CANCELED");
    Await.until("the job ends", FINISH_TIMEOUT, () -> terminal.contains(state(flink, jobId)));
    return state(flink, jobId);
  }

  private static String state(FlinkRestClient flink, String jobId) {
    return get(flink, "/jobs/" + jobId).path("state").asText();
  }

  /** A REST answer inside an awaited condition, which may not throw checked exceptions. */
  private static JsonNode get(FlinkRestClient flink, String path) {
    try {
      return flink.get(path);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during GET " + path, e);
    }
  }
}
