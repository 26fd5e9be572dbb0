package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.testsupport.Await;
import feast.proto.types.ValueProto;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer through Redis outages, against a redis-server process of the test's own (the shared
 * one cannot be stopped).
 *
 * <p>The 30-second outage: a writer thread writes {@value #VERSIONS} versions of each of {@value
 * #KEYS} keys, version after version, as fast as Redis takes them. A tenth of the way in, Redis
 * shuts down (saving its keys, as a Redis with persistence does on a restart) and stays down for
 * {@link #OUTAGE}; then a new redis-server starts on the same port and loads the keys. Meanwhile
 * the writer must block with {@value #MAX_IN_FLIGHT} rows held (backpressure) and report no
 * failure; afterwards it must resume within seconds, and every key must hold its newest version. A
 * writer that failed its held rows after a write timeout, as the sink did before, fails this test;
 * so does one that drops held rows (their keys would still end right, but the writer would not
 * block: the test checks that the writer thread sends nothing during the outage).
 */
class OnlineSinkOutageITCase {

  private static final String PROJECT = "outage_itcase";
  private static final String VIEW = "user_stats";
  private static final int KEYS = 50;
  private static final int VERSIONS = 2_000;
  private static final int ROWS = KEYS * VERSIONS;
  private static final int MAX_IN_FLIGHT = 32;
  private static final long FIRST_EVENT_TIME = 1_700_000_000_000L;
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Fewer than {@link #MAX_IN_FLIGHT}, so that all of them wait at once without blocking. */
  private static final int BUSY_ROWS = 20;

  /** Lettuce's reconnect backoff is capped at a second; a few more for a loaded test machine. */
  private static final Duration RESUMES_WITHIN = Duration.ofSeconds(5);

  private static final SinkWriter.Context NO_CONTEXT = new NoContext();

  private final MetricListener metrics = new MetricListener();
  private final FeatureViewEncoder encoder =
      new FeatureViewEncoder(PROJECT, VIEW, List.of("user_id"), List.of("version"), null);

  @TempDir Path workDir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void writerHoldsRowsThroughA30SecondOutageBackpressuresAndEveryKeyEndsWithItsNewestRow()
      throws Exception {
    RedisServerProcess redis = RedisServerProcess.start(workDir);
    RedisServerProcess restarted = null;
    AtomicLong rowsWritten = new AtomicLong();
    try (OnlineSinkWriter writer =
        new OnlineSinkWriter(
            RedisConnection.of(redis.uri()),
            MAX_IN_FLIGHT,
            CONNECT_TIMEOUT,
            OnlineSink.DEFAULT_OUTAGE_TOLERANCE,
            OnlineWriteListener.NONE,
            metrics.getMetricGroup())) {
      CompletableFuture<Void> writing = new CompletableFuture<>();
      Thread writerThread = new Thread(() -> writeAllRows(writer, rowsWritten, writing), "writer");
      writerThread.setDaemon(true);
      writerThread.start();

      Await.until(
          "a tenth of the rows is written",
          Duration.ofSeconds(60),
          () -> done(writing, rowsWritten) >= ROWS / 10);
      long outageStart = System.nanoTime();
      redis.shutdownSavingData();

      Await.until(
          "the writer blocks with " + MAX_IN_FLIGHT + " rows held",
          Duration.ofSeconds(10),
          () ->
              done(writing, rowsWritten) >= 0
                  && gauge(RedisWriteMetrics.ROWS_WAITING) == MAX_IN_FLIGHT
                  && writerThread.getState() == Thread.State.WAITING);
      long rowsWhenBlocked = rowsWritten.get();
      assertThat(rowsWhenBlocked).as("the outage began mid-stream").isLessThan(ROWS);
      Await.until(
          "the outage has lasted " + OUTAGE,
          OUTAGE.plusSeconds(10),
          () -> {
            assertThat(writing).as("the writer neither failed nor finished").isNotDone();
            assertThat(rowsWritten.get())
                .as("no row passes while Redis is away")
                .isEqualTo(rowsWhenBlocked);
            assertThat(gauge(RedisWriteMetrics.ROWS_WAITING)).isEqualTo(MAX_IN_FLIGHT);
            return System.nanoTime() - outageStart >= OUTAGE.toNanos();
          });
      assertThat(gauge(RedisWriteMetrics.OLDEST_WAIT_MS))
          .as("the oldest held row was sent before Redis went away")
          .isGreaterThanOrEqualTo(OUTAGE.toMillis());
      assertThat(counter(RedisWriteMetrics.DISCONNECTS)).isEqualTo(1);
      assertThat(counter(RedisWriteMetrics.WRITE_ERRORS)).isZero();

      restarted = redis.startAgain();
      long restartNanos = System.nanoTime();
      Await.until(
          "the writer resumes after Redis is back",
          RESUMES_WITHIN,
          () -> done(writing, rowsWritten) > rowsWhenBlocked);
      long resumedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNanos);

      writing.get(60, TimeUnit.SECONDS);
      assertThat(rowsWritten.get()).isEqualTo(ROWS);
      assertThat(gauge(RedisWriteMetrics.ROWS_WAITING)).isZero();
      assertThat(gauge(RedisWriteMetrics.OLDEST_WAIT_MS)).isZero();
      assertThat(counter(RedisWriteMetrics.WRITE_ERRORS)).isZero();
      assertThat(resumedAfterMillis).isLessThan(RESUMES_WITHIN.toMillis());

      assertEveryKeyHoldsItsNewestVersion(restarted.uri());
    } finally {
      redis.close();
      if (restarted != null) {
        restarted.close();
      }
    }
  }

  /**
   * A script of another client that runs too long makes Redis answer BUSY to every other call until
   * it is killed: the writer sends its rows again until Redis runs them, without failing.
   */
  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES)
  void rowsRefusedAsBusyAreSentAgainUntilRedisRunsThem() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(workDir)) {
      RedisClient sideClient = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> busy = sideClient.connect(StringCodec.UTF8);
          StatefulRedisConnection<String, String> admin = sideClient.connect(StringCodec.UTF8);
          OnlineSinkWriter writer =
              new OnlineSinkWriter(
                  RedisConnection.of(redis.uri()),
                  MAX_IN_FLIGHT,
                  CONNECT_TIMEOUT,
                  OnlineSink.DEFAULT_OUTAGE_TOLERANCE,
                  OnlineWriteListener.NONE,
                  metrics.getMetricGroup())) {
        // Redis answers BUSY once a script has run this long (Redis 7: busy-reply-threshold).
        admin.sync().configSet("lua-time-limit", "100");
        busy.async().eval("while true do end", ScriptOutputType.STATUS);
        Await.until("Redis answers BUSY", Duration.ofSeconds(10), () -> answersBusy(admin));

        for (long key = 0; key < BUSY_ROWS; key++) {
          writer.write(row(key, 1), NO_CONTEXT);
        }
        Await.until(
            "Redis answers BUSY and the writer sends every row again",
            Duration.ofSeconds(20),
            () -> counter(RedisWriteMetrics.WRITE_RETRIES) >= BUSY_ROWS);
        assertThat(gauge(RedisWriteMetrics.ROWS_WAITING)).isEqualTo(BUSY_ROWS);
        admin.sync().scriptKill();

        writer.flush(false);
        assertThat(counter(RedisWriteMetrics.WRITE_ERRORS)).isZero();
        assertThat(gauge(RedisWriteMetrics.ROWS_WAITING)).isZero();
      } finally {
        sideClient.shutdown();
      }
      RedisClient readerClient = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<byte[], byte[]> reader =
          readerClient.connect(ByteArrayCodec.INSTANCE)) {
        for (long key = 0; key < BUSY_ROWS; key++) {
          assertThat(storedVersion(reader.sync(), key)).as("version of key %d", key).isEqualTo(1);
        }
      } finally {
        readerClient.shutdown();
      }
    }
  }

  private static boolean answersBusy(StatefulRedisConnection<String, String> connection) {
    try {
      connection.sync().ping();
      return false;
    } catch (RedisBusyException busy) {
      return true;
    }
  }

  /** Row {@code i} is version {@code i / KEYS + 1} of key {@code i % KEYS}. */
  private void writeAllRows(
      OnlineSinkWriter writer, AtomicLong rowsWritten, CompletableFuture<Void> done) {
    try {
      for (int i = 0; i < ROWS; i++) {
        writer.write(row(i % KEYS, i / KEYS + 1), NO_CONTEXT);
        rowsWritten.incrementAndGet();
      }
      writer.flush(true);
      done.complete(null);
    } catch (Throwable e) {
      done.completeExceptionally(e);
    }
  }

  /** The rows written so far; throws at once when the writer thread failed. */
  private static long done(CompletableFuture<Void> writing, AtomicLong rowsWritten) {
    if (writing.isCompletedExceptionally()) {
      writing.join();
    }
    return rowsWritten.get();
  }

  private OnlineRow row(long key, long version) {
    return encoder.encode(List.of(key), eventTime(version), new Object[] {version});
  }

  private static long eventTime(long version) {
    return FIRST_EVENT_TIME + version * 1_000;
  }

  private static void assertEveryKeyHoldsItsNewestVersion(String uri) throws Exception {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> commands = connection.sync();
      for (long key = 0; key < KEYS; key++) {
        assertThat(storedVersion(commands, key)).as("version of key %d", key).isEqualTo(VERSIONS);
        byte[] timestamp = commands.hget(redisKey(key), FeastRedisLayout.timestampField(VIEW));
        assertThat(FeastRedisLayout.timestampMillis(timestamp))
            .as("event time of key %d", key)
            .isEqualTo(eventTime(VERSIONS));
      }
    } finally {
      client.shutdown();
    }
  }

  private static long storedVersion(RedisCommands<byte[], byte[]> commands, long key)
      throws Exception {
    byte[] value = commands.hget(redisKey(key), FeastRedisLayout.featureField(VIEW, "version"));
    assertThat(value).as("key %d is stored", key).isNotNull();
    return ValueProto.Value.parseFrom(value).getInt64Val();
  }

  private static byte[] redisKey(long key) {
    return FeastRedisLayout.redisKey(List.of("user_id"), List.of(key), PROJECT);
  }

  private long gauge(String name) {
    return metrics
        .<Long>getGauge(name)
        .map(Gauge::getValue)
        .orElseThrow(() -> new AssertionError("no gauge " + name));
  }

  private long counter(String name) {
    return metrics
        .getCounter(name)
        .map(Counter::getCount)
        .orElseThrow(() -> new AssertionError("no counter " + name));
  }

  /** The writer reads nothing from the context. */
  private static final class NoContext implements SinkWriter.Context {
    @Override
    public long currentWatermark() {
      return Long.MIN_VALUE;
    }

    @Override
    public Long timestamp() {
      return null;
    }
  }
}
