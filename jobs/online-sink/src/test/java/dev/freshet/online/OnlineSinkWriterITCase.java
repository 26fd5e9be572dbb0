package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Timestamp;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.testsupport.RealRedisExtension;
import dev.freshet.testsupport.RedisTestServer;
import feast.proto.types.ValueProto;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer against a real redis-server, read back with a plain Lettuce client and decoded with
 * Feast's protobufs. Each test writes under a project of its own, so tests share the server without
 * seeing each other's keys.
 */
@ExtendWith(RealRedisExtension.class)
class OnlineSinkWriterITCase {

  private static final String VIEW = "user_stats";
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
  private static final SinkWriter.Context NO_CONTEXT = new NoContext();

  private final MetricListener metrics = new MetricListener();
  private final RecordingWriteListener listener = new RecordingWriteListener();
  private RedisTestServer redis;
  private String project;
  private FeatureViewEncoder userStats;
  private RedisClient readerClient;
  private StatefulRedisConnection<byte[], byte[]> readerConnection;
  private RedisCommands<byte[], byte[]> reader;

  @BeforeEach
  void setUp(RedisTestServer redis, TestInfo test) {
    this.redis = redis;
    this.project = "writer_" + test.getTestMethod().orElseThrow().getName();
    this.userStats = encoder(VIEW, null);
    this.readerClient = RedisClient.create(redis.uri());
    this.readerConnection = readerClient.connect(ByteArrayCodec.INSTANCE);
    this.reader = readerConnection.sync();
  }

  @AfterEach
  void tearDown() {
    readerConnection.close();
    readerClient.shutdown();
  }

  @Test
  void rowLandsUnderFeastsKeyFeatureFieldsAndTimestampField() throws Exception {
    long eventTime = System.currentTimeMillis() - 5_000;
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(7L, eventTime, 42L, 0.5, List.of("a", "b")), NO_CONTEXT);
      writer.flush(false);
    }

    Map<String, byte[]> hash = storedHash(7L);
    assertThat(hash)
        .containsOnlyKeys(field("clicks"), field("ratio"), field("tags"), "_ts:" + VIEW);
    assertThat(ValueProto.Value.parseFrom(hash.get(field("clicks"))).getInt64Val()).isEqualTo(42L);
    assertThat(ValueProto.Value.parseFrom(hash.get(field("ratio"))).getDoubleVal()).isEqualTo(0.5);
    assertThat(ValueProto.Value.parseFrom(hash.get(field("tags"))).getStringListVal().getValList())
        .containsExactly("a", "b");
    assertThat(FeastRedisLayout.timestampMillis(hash.get("_ts:" + VIEW))).isEqualTo(eventTime);
    assertThat(reader.pttl(key(7L))).as("no expiry without a TTL").isEqualTo(-1L);

    assertThat(listener.written())
        .extracting(Written::featureView, Written::eventTimeMillis)
        .containsExactly(tuple(VIEW, eventTime));
    assertThat(rowsSkippedAsOlder()).isZero();
  }

  @Test
  void listenerHearsWrittenRowsWithTheirAcknowledgementTimeButNotSkippedOnes() throws Exception {
    FeatureViewEncoder sessions = encoder("sessions", null);
    long before = System.currentTimeMillis();
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.write(row(1L, 1_999, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.write(row(2L, 3_000, 3L, 3.0, List.of()), NO_CONTEXT);
      writer.write(
          sessions.encode(List.of(1L), 1_000, new Object[] {9L, 9.0, List.of()}), NO_CONTEXT);
      writer.flush(false);
    }
    long after = System.currentTimeMillis();

    assertThat(listener.written())
        .extracting(Written::featureView, Written::eventTimeMillis)
        .containsExactlyInAnyOrder(
            tuple(VIEW, 2_000L), tuple(VIEW, 3_000L), tuple("sessions", 1_000L));
    assertThat(listener.written())
        .extracting(Written::acknowledgedAtMillis)
        .allSatisfy(acknowledgedAt -> assertThat(acknowledgedAt).isBetween(before, after));
    assertThat(rowsSkippedAsOlder()).isEqualTo(1);
    assertThat(metrics.getHistogram(FeatureViewMetrics.GROUP_KEY, VIEW, "onlineFreshnessMs"))
        .as("freshness is measured per contract, by the job's listener")
        .isEmpty();
    assertThat(metrics.getCounter(FeatureViewMetrics.GROUP_KEY, VIEW, "onlineRowsWritten"))
        .as("rows written are counted per contract, by the job's listener")
        .isEmpty();
  }

  @Test
  void listenerIsOpenedOnceWithTheWritersMetricGroupBeforeItHearsARow() throws Exception {
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      assertThat(listener.heard()).singleElement().isInstanceOf(Opened.class);
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.flush(false);
    }

    List<Object> heard = listener.heard();
    assertThat(heard).hasSize(2);
    assertThat(heard.get(0))
        .isInstanceOfSatisfying(
            Opened.class,
            opened -> assertThat(opened.writerMetricGroup()).isSameAs(metrics.getMetricGroup()));
    assertThat(heard.get(1)).isInstanceOf(Written.class);
  }

  @Test
  void redisWriteMicrosTimesEveryAcknowledgedCallInMicroseconds() throws Exception {
    long startNanos = System.nanoTime();
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.write(row(2L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.flush(false);
    }
    long elapsedMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);

    Histogram writeMicros = redisWriteMicros();
    assertThat(writeMicros.getCount()).as("written and skipped rows alike").isEqualTo(3);
    assertThat(writeMicros.getStatistics().getMin())
        .as("a round trip to Redis takes at least a microsecond")
        .isGreaterThanOrEqualTo(1);
    assertThat(writeMicros.getStatistics().getMax())
        .as("no round trip is longer than the whole test")
        .isLessThanOrEqualTo(elapsedMicros);
    assertThat(redisWriteErrors()).isZero();
  }

  @Test
  void olderRowAfterANewerOneIsSkippedAndCounted() throws Exception {
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 2_000, 2L, 2.0, List.of("newer")), NO_CONTEXT);
      writer.write(row(1L, 1_999, 1L, 1.0, List.of("older")), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(storedClicks(1L)).isEqualTo(2L);
    assertThat(storedEventTime(1L)).isEqualTo(2_000);
    assertThat(rowsSkippedAsOlder()).isEqualTo(1);
    assertThat(listener.written())
        .as("the skipped row is not heard")
        .extracting(Written::eventTimeMillis)
        .containsExactly(2_000L);
  }

  @Test
  void rowWithTheSameEventTimeReplacesTheStoredValues() throws Exception {
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.write(row(1L, 1_000, 5L, 5.0, List.of("corrected")), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(storedClicks(1L)).isEqualTo(5L);
    assertThat(listener.written()).hasSize(2);
    assertThat(rowsSkippedAsOlder()).isZero();
  }

  @Test
  void storedTimestampIsComparedToTheMillisecond() throws Exception {
    // A timestamp another writer stored, with sub-millisecond nanos and multi-byte varints.
    byte[] stored =
        Timestamp.newBuilder()
            .setSeconds(1_700_000_000L)
            .setNanos(250_999_999)
            .build()
            .toByteArray();
    reader.hset(key(1L), FeastRedisLayout.timestampField(VIEW), stored);
    reader.hset(key(2L), FeastRedisLayout.timestampField(VIEW), stored);

    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 1_700_000_000_249L, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.write(row(2L, 1_700_000_000_250L, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(reader.hget(key(1L), FeastRedisLayout.featureField(VIEW, "clicks")))
        .as("a millisecond older: skipped")
        .isNull();
    assertThat(storedClicks(2L)).as("the same millisecond: written").isEqualTo(2L);
    assertThat(rowsSkippedAsOlder()).isEqualTo(1);
  }

  @Test
  void featureViewsSharingAHashKeepTheirOwnEventTimes() throws Exception {
    FeatureViewEncoder sessions = encoder("sessions", null);
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 5_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.write(
          sessions.encode(List.of(1L), 1_000, new Object[] {9L, 9.0, List.of()}), NO_CONTEXT);
      writer.flush(false);
    }

    Map<String, byte[]> hash = storedHash(1L);
    assertThat(FeastRedisLayout.timestampMillis(hash.get("_ts:" + VIEW))).isEqualTo(5_000);
    assertThat(FeastRedisLayout.timestampMillis(hash.get("_ts:sessions"))).isEqualTo(1_000);
    assertThat(ValueProto.Value.parseFrom(hash.get(fieldOf("sessions", "clicks"))).getInt64Val())
        .isEqualTo(9L);
    assertThat(rowsSkippedAsOlder()).isZero();
  }

  @Test
  void onlineTtlBecomesTheExpiryOfTheHash() throws Exception {
    FeatureViewEncoder expiring = encoder(VIEW, Duration.ofMinutes(10));
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(
          expiring.encode(List.of(1L), 1_000, new Object[] {1L, 1.0, List.of()}), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(reader.pttl(key(1L))).isBetween(1L, Duration.ofMinutes(10).toMillis());
  }

  @Test
  void rowsLandAfterRedisForgotTheScript() throws Exception {
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.flush(false);
      // What a Redis restart or failover does to the script cache: the next EVALSHA is NOSCRIPT.
      reader.scriptFlush();
      writer.write(row(1L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.write(row(1L, 1_500, 3L, 3.0, List.of()), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(storedClicks(1L)).isEqualTo(2L);
    assertThat(rowsSkippedAsOlder()).isEqualTo(1);
    assertThat(redisWriteMicros().getCount()).isEqualTo(3);
    assertThat(redisWriteErrors()).as("an unknown script is no failed call").isZero();
  }

  @Test
  void oneRowInFlightStillWritesEveryRowNewestLast() throws Exception {
    int keys = 50;
    int versions = 4;
    try (OnlineSinkWriter writer = writer(redis.uri(), 1)) {
      for (int version = 1; version <= versions; version++) {
        for (long key = 0; key < keys; key++) {
          writer.write(row(key, version * 1_000L, version, version, List.of()), NO_CONTEXT);
        }
      }
      writer.flush(true);
    }

    for (long key = 0; key < keys; key++) {
      assertThat(storedClicks(key)).as("key %d", key).isEqualTo(versions);
    }
    assertThat(listener.written()).hasSize(keys * versions);
  }

  @Test
  void writesPastTheOutageToleranceSurfaceFromFlushAndEveryLaterWriteAndAreEachCounted(
      @TempDir Path workDir) throws Exception {
    RedisServerProcess ownRedis = RedisServerProcess.start(workDir);
    try (OnlineSinkWriter writer = writer(ownRedis.uri(), 8, Duration.ofMillis(500))) {
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);
      writer.flush(false);

      ownRedis.close();
      // Sent well within the tolerance, so all three are held when the first one times out.
      writer.write(row(1L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.write(row(2L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);
      writer.write(row(3L, 2_000, 2L, 2.0, List.of()), NO_CONTEXT);

      String expected =
          "A write to Redis at "
              + ownRedis.uri()
              + " was not acknowledged within the outage tolerance of PT0.5S: ";
      assertThatThrownBy(() -> writer.flush(false))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(expected);
      assertThatThrownBy(() -> writer.write(row(1L, 3_000, 3L, 3.0, List.of()), NO_CONTEXT))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith(expected);
    } finally {
      ownRedis.close();
    }

    assertThat(redisWriteErrors())
        .as("every failed call; the write refused after the failure sent none")
        .isEqualTo(3);
    assertThat(redisWriteMicros().getCount()).as("only the call before the stop").isEqualTo(1);
    assertThat(listener.written()).extracting(Written::eventTimeMillis).containsExactly(1_000L);
  }

  @Test
  void listenerThatThrowsFailsTheNextFlushAndNamesItself() throws Exception {
    try (OnlineSinkWriter writer =
        writer(redis.uri(), 8, WRITE_TIMEOUT, new ThrowingWriteListener())) {
      writer.write(row(1L, 1_000, 1L, 1.0, List.of()), NO_CONTEXT);

      assertThatThrownBy(() -> writer.flush(false))
          .isInstanceOf(IOException.class)
          .hasMessage(
              "The write listener "
                  + ThrowingWriteListener.class.getName()
                  + " threw on a written row of feature view user_stats: listener broke. A"
                  + " listener must not throw; fix it, or leave it out of the sink.")
          .hasRootCauseMessage("listener broke");
    }
    assertThat(storedClicks(1L)).as("Redis holds the row").isEqualTo(1L);
    assertThat(redisWriteErrors()).as("the call to Redis succeeded").isZero();
  }

  @Test
  void rowBefore1970IsRefusedWithItsFeatureView() throws Exception {
    try (OnlineSinkWriter writer = writer(redis.uri(), 8)) {
      assertThatThrownBy(() -> writer.write(row(1L, -1, 1L, 1.0, List.of()), NO_CONTEXT))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Row of feature view user_stats has event time -1 ms, before 1970; the online sink"
                  + " writes event times from 1970 on");
    }
    assertThat(reader.exists(key(1L))).isZero();
  }

  @Test
  void unreachableRedisFailsTheWriterAtCreation(@TempDir Path workDir) {
    RedisServerProcess stopped = RedisServerProcess.start(workDir);
    stopped.close();

    assertThatThrownBy(() -> writer(stopped.uri(), 8, Duration.ofMillis(500)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Cannot connect to Redis at " + stopped.uri());
  }

  private OnlineSinkWriter writer(String uri, int maxInFlight) throws IOException {
    return writer(uri, maxInFlight, WRITE_TIMEOUT);
  }

  /** A writer whose {@code timeout} is both its connect timeout and its outage tolerance. */
  private OnlineSinkWriter writer(String uri, int maxInFlight, Duration timeout)
      throws IOException {
    return writer(uri, maxInFlight, timeout, listener);
  }

  private OnlineSinkWriter writer(
      String uri, int maxInFlight, Duration timeout, OnlineWriteListener writeListener)
      throws IOException {
    return new OnlineSinkWriter(
        RedisConnection.of(uri),
        maxInFlight,
        timeout,
        timeout,
        writeListener,
        metrics.getMetricGroup());
  }

  private FeatureViewEncoder encoder(String featureView, Duration expiry) {
    return new FeatureViewEncoder(
        project, featureView, List.of("user_id"), List.of("clicks", "ratio", "tags"), expiry);
  }

  private OnlineRow row(long userId, long eventTime, long clicks, double ratio, List<String> tags) {
    return userStats.encode(List.of(userId), eventTime, new Object[] {clicks, ratio, tags});
  }

  private byte[] key(long userId) {
    return FeastRedisLayout.redisKey(List.of("user_id"), List.of(userId), project);
  }

  /** The hash with field names as text: Feast's feature fields as hex, timestamp fields as is. */
  private Map<String, byte[]> storedHash(long userId) {
    return reader.hgetall(key(userId)).entrySet().stream()
        .collect(Collectors.toMap(entry -> name(entry.getKey()), Map.Entry::getValue));
  }

  private long storedClicks(long userId) throws Exception {
    return ValueProto.Value.parseFrom(
            reader.hget(key(userId), FeastRedisLayout.featureField(VIEW, "clicks")))
        .getInt64Val();
  }

  private long storedEventTime(long userId) {
    return FeastRedisLayout.timestampMillis(
        reader.hget(key(userId), FeastRedisLayout.timestampField(VIEW)));
  }

  private static String field(String feature) {
    return fieldOf(VIEW, feature);
  }

  private static String fieldOf(String featureView, String feature) {
    return name(FeastRedisLayout.featureField(featureView, feature));
  }

  private static String name(byte[] field) {
    String text = new String(field, StandardCharsets.ISO_8859_1);
    return text.startsWith("_ts:") ? text : HexFormat.of().formatHex(field);
  }

  private long rowsSkippedAsOlder() {
    return metrics
        .getCounter(FeatureViewMetrics.GROUP_KEY, VIEW, FeatureViewMetrics.ROWS_SKIPPED)
        .map(Counter::getCount)
        .orElseThrow(() -> new AssertionError("no counter " + FeatureViewMetrics.ROWS_SKIPPED));
  }

  private long redisWriteErrors() {
    return metrics
        .getCounter(RedisWriteMetrics.WRITE_ERRORS)
        .map(Counter::getCount)
        .orElseThrow(() -> new AssertionError("no counter " + RedisWriteMetrics.WRITE_ERRORS));
  }

  private Histogram redisWriteMicros() {
    return metrics
        .getHistogram(RedisWriteMetrics.WRITE_MICROS)
        .orElseThrow(() -> new AssertionError("no histogram " + RedisWriteMetrics.WRITE_MICROS));
  }

  /**
   * Records what the writer tells it, in order. The tests build the writer themselves, so nothing
   * serializes this listener; {@link OnlineSinkRestoreITCase} runs one through Flink.
   */
  private static final class RecordingWriteListener implements OnlineWriteListener {
    private final Queue<Object> heard = new ConcurrentLinkedQueue<>();

    @Override
    public void open(MetricGroup writerMetricGroup) {
      heard.add(new Opened(writerMetricGroup));
    }

    @Override
    public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
      heard.add(new Written(featureView, eventTimeMillis, acknowledgedAtMillis));
    }

    List<Object> heard() {
      return List.copyOf(heard);
    }

    List<Written> written() {
      return heard.stream().filter(Written.class::isInstance).map(Written.class::cast).toList();
    }
  }

  private record Opened(MetricGroup writerMetricGroup) {}

  private record Written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {}

  private static final class ThrowingWriteListener implements OnlineWriteListener {
    @Override
    public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
      throw new IllegalStateException("listener broke");
    }
  }

  /** The writer reads nothing from the context; this one carries no watermark or timestamp. */
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
