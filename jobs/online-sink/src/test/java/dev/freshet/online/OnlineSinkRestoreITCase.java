package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.testsupport.RealRedisExtension;
import dev.freshet.testsupport.RedisTestServer;
import feast.proto.types.ValueProto;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
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
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the sink in a real Flink job that fails once, restores from a checkpoint and replays rows
 * that Redis already holds together with newer values of the same keys: the replayed older rows
 * must be skipped, and every key must end with its newest row.
 *
 * <p>The source emits {@value #VERSIONS} rows per key, key after key, with increasing event times:
 * row {@code i} is version {@code i / KEYS + 1} of key {@code i % KEYS}. Parallelism 1, so without
 * a failure no row ever meets a newer stored one, and every skip counted comes from the replay. The
 * final state alone cannot tell newer-wins from last-writer-wins (the replay ends with the newest
 * rows either way); the skip count can: a sink that overwrote unconditionally would count no skip
 * and fail the test.
 *
 * <p>The sink's write listener goes through Flink's serialization of the sink, and must hear every
 * acknowledged row that was not skipped, in both attempts.
 */
@ExtendWith(RealRedisExtension.class)
class OnlineSinkRestoreITCase {

  private static final String PROJECT = "restore_itcase";
  private static final String VIEW = "user_stats";
  private static final int KEYS = 10;
  private static final int VERSIONS = 40;
  private static final long ROW_COUNT = (long) KEYS * VERSIONS;
  private static final long FIRST_EVENT_TIME = 1_700_000_000_000L;

  /** At least two versions of every key between two checkpoints, so a replay meets newer rows. */
  private static final int ROWS_PER_CHECKPOINT = 3 * KEYS;

  /** Rows the failing operator lets through after a checkpoint before it throws. */
  private static final int ROWS_BEFORE_FAILURE = 2 * KEYS;

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  @TempDir Path workDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void replayAfterRestoreNeverOverwritesNewerValues(RedisTestServer redis) throws Exception {
    Path failureMarker = workDir.resolve("failed-after-checkpoint");

    Configuration configuration = new Configuration();
    configuration.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(100));
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    configuration.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(configuration);
    env.setParallelism(1);

    DataGeneratorSource<Long> rowIndexes =
        new DataGeneratorSource<>(
            new RowIndexes(),
            ROW_COUNT,
            RateLimiterStrategy.perCheckpoint(ROWS_PER_CHECKPOINT),
            Types.LONG);
    // One row in flight: when the failing operator sees a row, all rows but the previous one are
    // acknowledged by Redis, so the rows between the checkpoint and the failure are in Redis
    // before the job fails, and the replay meets them.
    OnlineSink sink =
        OnlineSink.builder()
            .redisUri(redis.uri())
            .maxInFlight(1)
            .writeListener(new CountingWriteListener())
            .build();

    env.fromSource(rowIndexes, WatermarkStrategy.noWatermarks(), "Row indexes")
        .map(new FailOnceAfterCheckpoint(failureMarker.toString(), ROWS_BEFORE_FAILURE))
        .name("Fail once after a checkpoint")
        .map(new ToOnlineRow(encoder()))
        .name("To online rows")
        .sinkTo(sink)
        .name("Redis")
        .uid("online-sink");
    JobExecutionResult result = env.execute("online-sink-restore");

    assertThat(failureMarker).as("the injected failure happened").exists();
    assertEveryKeyHoldsItsNewestRow(redis);
    // The rows between the restored checkpoint and the failure include, for each of the first
    // KEYS - 1 of them, a newer version of the same key that Redis acknowledged before the
    // failure (ROWS_BEFORE_FAILURE rows, all but the last acknowledged): each of those is skipped
    // on replay.
    long skipped = sumOfCounts(FeatureViewMetrics.ROWS_SKIPPED);
    assertThat(skipped)
        .as("replayed rows skipped as older in job %s", result.getJobID())
        .isGreaterThanOrEqualTo(KEYS - 1);
    long acknowledged = sumOfCounts(RedisWriteMetrics.WRITE_MICROS);
    assertThat(acknowledged)
        .as("rows acknowledged over both attempts: each row at least once")
        .isGreaterThanOrEqualTo(ROW_COUNT);
    assertThat(sumOfCounts(CountingWriteListener.ROWS_HEARD))
        .as("acknowledged rows the listener heard: all but the skipped ones")
        .isEqualTo(acknowledged - skipped);
  }

  private static void assertEveryKeyHoldsItsNewestRow(RedisTestServer redis) throws Exception {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> commands = connection.sync();
      for (long key = 0; key < KEYS; key++) {
        byte[] hashKey = FeastRedisLayout.redisKey(List.of("user_id"), List.of(key), PROJECT);
        byte[] version = commands.hget(hashKey, FeastRedisLayout.featureField(VIEW, "version"));
        byte[] timestamp = commands.hget(hashKey, FeastRedisLayout.timestampField(VIEW));
        assertThat(ValueProto.Value.parseFrom(version).getInt64Val())
            .as("version of key %d", key)
            .isEqualTo(VERSIONS);
        assertThat(FeastRedisLayout.timestampMillis(timestamp))
            .as("event time of key %d", key)
            .isEqualTo(eventTime(VERSIONS));
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * The count of a counter or histogram summed over every registered instance, that is over the
   * attempts before and after the restore. The job has one sink and one feature view, so a name
   * alone identifies a metric.
   */
  private static long sumOfCounts(String name) {
    long sum = 0;
    for (Map<String, Metric> metricsOfGroup : REPORTER.getMetricsByGroup().values()) {
      Metric metric = metricsOfGroup.get(name);
      if (metric instanceof Counter counter) {
        sum += counter.getCount();
      } else if (metric instanceof Histogram histogram) {
        sum += histogram.getCount();
      }
    }
    return sum;
  }

  private static FeatureViewEncoder encoder() {
    return new FeatureViewEncoder(PROJECT, VIEW, List.of("user_id"), List.of("version"), null);
  }

  private static long eventTime(long version) {
    return FIRST_EVENT_TIME + version * 1_000;
  }

  private static final class RowIndexes implements GeneratorFunction<Long, Long> {
    @Override
    public void open(SourceReaderContext readerContext) {}

    @Override
    public Long map(Long index) {
      return index;
    }
  }

  private static final class ToOnlineRow implements MapFunction<Long, OnlineRow> {
    private final FeatureViewEncoder encoder;

    ToOnlineRow(FeatureViewEncoder encoder) {
      this.encoder = encoder;
    }

    @Override
    public OnlineRow map(Long index) {
      long key = index % KEYS;
      long version = index / KEYS + 1;
      return encoder.encode(List.of(key), eventTime(version), new Object[] {version});
    }
  }

  /**
   * Throws once, across restarts, on the first row that follows at least {@code rowsBeforeFailure}
   * rows since its latest snapshot, once a checkpoint has completed. Counting from the snapshot,
   * not from the completion notice, matters: the job restores the latest completed checkpoint,
   * which is never later than this operator's latest snapshot, so all those rows are replayed.
   */
  private static final class FailOnceAfterCheckpoint
      implements MapFunction<Long, Long>, CheckpointedFunction, CheckpointListener {
    private final String marker;
    private final int rowsBeforeFailure;
    private boolean checkpointCompleted;
    private int rowsSinceSnapshot;

    FailOnceAfterCheckpoint(String marker, int rowsBeforeFailure) {
      this.marker = marker;
      this.rowsBeforeFailure = rowsBeforeFailure;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
      rowsSinceSnapshot = 0;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      checkpointCompleted = true;
    }

    @Override
    public Long map(Long index) {
      if (checkpointCompleted && rowsSinceSnapshot >= rowsBeforeFailure && claimOnce(marker)) {
        throw new IllegalStateException("Injected failure after a checkpoint, at row " + index);
      }
      rowsSinceSnapshot++;
      return index;
    }

    /** Creates the marker file; true only for the first caller across all restarts. */
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
  }
}
