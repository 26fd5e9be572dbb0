package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.events.EventGenerator;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.testsupport.Await;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole feature job (every shipped contract, Delta and Redis sinks) on a MiniCluster through a
 * 30-second Redis outage, issue 9's "Redis outage of 30 s: the job stays up, and the online store
 * converges to the offline values after Redis returns".
 *
 * <p>Once the job has written features to Redis, Redis shuts down (saving its keys, as a Redis with
 * persistence does) and a new redis-server starts on the same port {@link #OUTAGE} later. Checked:
 *
 * <ul>
 *   <li>the outage hit the job mid-run: it was running when Redis left and still running when Redis
 *       came back, and its online sink held rows for the whole outage (the sink's {@code
 *       redisOldestWaitMs});
 *   <li>the job never restarted: Flink's {@code numRestarts} is 0 at the end. The job runs with a
 *       restart strategy, as in production, so a sink that failed the job during the outage would
 *       still converge, and only this count tells the difference;
 *   <li>after the bounded input, the online store equals the offline tables: for every entity of
 *       every contract served online, Redis holds exactly the values and event time of the entity's
 *       latest row in the contract's Delta table (read back through delta-standalone and mapped
 *       into Feast's layout by the job's own {@link OnlineRowMapper}), and no other hash.
 * </ul>
 */
class RedisOutageITCase {

  private static final Duration OUTAGE = Duration.ofSeconds(30);

  /**
   * Enough input that the job is still writing when Redis leaves, after it wrote this many hashes.
   */
  private static final int ACTIONS = 8_000;

  private static final int HASHES_BEFORE_OUTAGE = 20;

  /** Names of the online sink's metrics (docs/metrics.md). */
  private static final String OLDEST_WAIT_MS = "redisOldestWaitMs";

  private static final String NUM_RESTARTS = "numRestarts";

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path tmp;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void jobRidesOutA30SecondRedisOutageAndTheOnlineStoreEqualsTheOfflineTables() throws Exception {
    JobRun run = new JobRun(tmp);
    run.produce(EventGenerator.builder().seed(19).build(), ACTIONS);
    RedisServerProcess redis = RedisServerProcess.start(tmp.resolve("redis"));
    RedisServerProcess restarted = null;
    try {
      JobClient job = start(run, redis.uri());
      awaitHashes(redis.uri(), job);

      long outageStart = System.nanoTime();
      redis.shutdownSavingData();
      Await.until(
          "Redis has been away for " + OUTAGE,
          OUTAGE.plusSeconds(15),
          () -> {
            assertThat(job.getJobStatus().join())
                .as("the job during the outage")
                .isIn(JobStatus.RUNNING, JobStatus.RESTARTING);
            return System.nanoTime() - outageStart >= OUTAGE.toNanos();
          });
      assertThat(job.getJobStatus().get())
          .as("the job when Redis returns")
          .isEqualTo(JobStatus.RUNNING);
      assertThat(largestGauge(OLDEST_WAIT_MS))
          .as("the online sink held rows through the whole outage, in ms")
          .isGreaterThanOrEqualTo(OUTAGE.minusSeconds(2).toMillis());
      restarted = redis.startAgain();

      job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
      assertThat(largestGauge(NUM_RESTARTS)).as("restarts of the job").isZero();
      OnlineStoreComparison.assertEqualsTheLatestOfflineRows(run, restarted.uri());
    } finally {
      redis.close();
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  /** The job as {@link JobRun#execute} runs it, with Redis, and returned once submitted. */
  private static JobClient start(JobRun run, String redisUri) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(run.flinkConfiguration());
    env.setParallelism(2);
    env.enableCheckpointing(500);
    FeatureJob.build(
        env,
        JobRun.CONTRACTS,
        FeatureJobConfig.builder()
            .bootstrapServers(JobRun.BROKER.bootstrapServers())
            .behaviourTopic(run.behaviourTopic)
            .fileTopic(run.fileTopic)
            .deadLetterTopic(run.deadLetterTopic)
            .consumerGroup("it-" + run.behaviourTopic)
            .deltaBasePath(run.deltaPath.toString())
            .redisUri(redisUri)
            .boundedInput(true)
            .build());
    return env.executeAsync("feature job through a Redis outage");
  }

  /** Waits until the job has written some hashes, and fails if it ended first. */
  private static void awaitHashes(String redisUri, JobClient job) {
    RedisClient client = RedisClient.create(redisUri);
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      Await.until(
          "the job has written " + HASHES_BEFORE_OUTAGE + " hashes to Redis",
          Duration.ofMinutes(2),
          () -> {
            JobStatus status = job.getJobStatus().join();
            assertThat(status.isGloballyTerminalState())
                .as(
                    "the job ended (%s) before the outage; more input keeps it running longer",
                    status)
                .isFalse();
            return connection.sync().dbsize() >= HASHES_BEFORE_OUTAGE;
          });
    } finally {
      client.shutdown();
    }
  }

  /** The largest value of a gauge over every subtask (or job) that registered it, or -1. */
  private static long largestGauge(String name) {
    long largest = -1;
    for (Map<String, Metric> metrics : REPORTER.getMetricsByGroup().values()) {
      if (metrics.get(name) instanceof Gauge<?> gauge && gauge.getValue() instanceof Number value) {
        largest = Math.max(largest, value.longValue());
      }
    }
    assertThat(largest).as("a gauge %s is registered", name).isNotNegative();
    return largest;
  }
}
