package dev.freshet.online;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes {@link OnlineRow}s into Redis in Feast's online-store layout, so that Feast's servers
 * serve them: per row one hash (the entity key and project), its feature fields, the feature view's
 * {@code _ts:<feature view>} field with the event time, and the expiry of the whole hash when the
 * row has one ({@code PEXPIRE}, the contract's online TTL).
 *
 * <h2>Newer wins, also after a restore</h2>
 *
 * An older event never overwrites a newer value. Each row is written by one Lua script that reads
 * the feature view's stored event time and skips the row when the stored time is strictly newer;
 * Redis runs a script atomically, so no other write to the hash comes between the read and the
 * write. This differs from Feast's Python writer in two ways, on purpose: Feast reads and then
 * writes in two steps (a concurrent writer can slip in between), and Feast compares whole seconds
 * and skips a row whose time is not newer. This sink compares milliseconds and lets a row with the
 * <em>same</em> event time replace the stored values, because a replay or a correction at the same
 * time carries the same or better values.
 *
 * <h2>Delivery</h2>
 *
 * Writes are asynchronous and pipelined on one connection, with at most {@link
 * Builder#maxInFlight(int)} rows unacknowledged. Flink calls {@link SinkWriter#flush(boolean)} at
 * every checkpoint barrier, and the writer returns from it only when every earlier row is
 * acknowledged: a completed checkpoint implies that Redis holds (or rightly skipped) every row
 * before it. After a failure Flink replays the rows since the last checkpoint; those that were
 * already written meet themselves or newer values and change nothing. At-least-once delivery plus
 * newer-wins gives the same final state as exactly-once.
 *
 * <h2>When Redis is slow or down: backpressure, then failure after a tolerance</h2>
 *
 * <ul>
 *   <li>Writes block once {@code maxInFlight} rows are unacknowledged: the job backpressures
 *       instead of buffering without bound.
 *   <li>When the connection is lost, the client reconnects by itself, with a delay that doubles up
 *       to one second, and holds every unacknowledged row meanwhile: those sent on the lost
 *       connection and those written since. Once Redis answers it sends them again in the order
 *       they were written. The writer blocks as soon as {@code maxInFlight} rows are held, so an
 *       outage holds up the job (and with it the checkpoints, see below) but loses nothing and
 *       raises no error. After a restart Redis has forgotten the script; the writer sends it again.
 *       Redis answering LOADING (reading its data after a restart) or BUSY (another client's script
 *       runs) counts as the same outage: the row is sent again after a backoff.
 *   <li>A row that Redis has not acknowledged {@link Builder#outageTolerance(Duration)} after it
 *       was first sent (default {@value #DEFAULT_OUTAGE_TOLERANCE_SECONDS} seconds) fails the job,
 *       as does any other failed write: the first error is kept and thrown from the next {@code
 *       write} or {@code flush} on the task thread. Flink's restart strategy restarts the job from
 *       its last checkpoint and replays, which newer-wins makes harmless. A long outage therefore
 *       shows as job restarts, not as lost or silently dropped rows.
 *   <li>Checkpoints: {@code flush} waits for the held rows, so a checkpoint whose barrier arrives
 *       during an outage completes only after Redis is back, up to the tolerance later, and the
 *       job's other sinks (the Delta tables) commit that much later too. Flink's checkpoint timeout
 *       ({@code execution.checkpointing.timeout}, default 10 minutes) must exceed the tolerance, or
 *       an outage the sink rides out fails the checkpoint instead.
 *   <li>Order: Lettuce sends the held rows again in their order; a row the writer sends again
 *       itself (above) can land after later rows, and newer-wins keeps its older event time from
 *       overwriting a newer one of the same key and feature view. A timed-out write may still reach
 *       Redis later, which is harmless for the same reason.
 * </ul>
 *
 * <p>A row is refused (the job fails) when its event time is before 1970 or its fields and values
 * differ in number. A {@code _ts:<feature view>} field that is not a serialized {@code
 * google.protobuf.Timestamp} makes the script fail, which fails the job rather than overwrite
 * values it cannot order.
 *
 * <h2>Connecting</h2>
 *
 * Each writer connects on its TaskManager with the sink's {@link RedisConnection}: TLS with {@code
 * rediss://}, and a password that the TaskManager reads from a file or environment variable when it
 * connects, so that the sink, which Flink serializes into the job graph, carries the password's
 * source but not the password.
 *
 * <h2>Metrics and the write listener</h2>
 *
 * In the writer's metric group:
 *
 * <ul>
 *   <li>{@code redisWriteMicros}, a histogram of the time from sending a row's script call to
 *       Redis's reply, in microseconds, over the latest 1024 acknowledged calls, written and
 *       skipped rows alike (after Redis forgot the script, the time includes the call that sends it
 *       again; a row held through an outage counts the outage);
 *   <li>{@code redisWriteErrors}, script calls that failed or timed out: every one of them, though
 *       only the first fails the job;
 *   <li>{@code redisRowsWaiting}, a gauge of the rows sent or held and not yet acknowledged: at
 *       {@code maxInFlight} the writer blocks and the job backpressures;
 *   <li>{@code redisOldestWaitMs}, a gauge of how long the oldest of them has waited, 0 when none
 *       does: the job fails when it reaches the outage tolerance;
 *   <li>{@code redisDisconnects}, connections to Redis lost;
 *   <li>{@code redisWriteRetries}, script calls the writer sent again: after the connection broke
 *       under them, or Redis answered LOADING or BUSY.
 * </ul>
 *
 * Per feature view, under the key-value group {@code feature_view}:
 *
 * <ul>
 *   <li>{@code onlineRowsSkippedAsOlder}, rows skipped because Redis held a newer event time of the
 *       same feature view and entity.
 * </ul>
 *
 * Freshness and rows written matter per contract, which this sink does not know. It tells an {@link
 * OnlineWriteListener} ({@link Builder#writeListener}) about each row Redis acknowledged as
 * written, with the wall-clock time of the acknowledgement, and the job measures them there.
 *
 * <p>Feature views with the same join keys share an entity's hash, and an expiry applies to the
 * whole hash: the latest write of any of them sets it.
 */
public final class OnlineSink implements Sink<OnlineRow> {

  private static final long serialVersionUID = 1L;

  /**
   * Enough rows on the wire to hide network round trips, few enough that a stalled Redis holds up
   * the job almost at once.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  static final long DEFAULT_OUTAGE_TOLERANCE_SECONDS = 120;

  /**
   * Long enough to ride out a Redis restart or failover (seconds to a minute), short enough that a
   * Redis that stays away fails the job well within Flink's default checkpoint timeout of ten
   * minutes, and shows as restarts.
   */
  public static final Duration DEFAULT_OUTAGE_TOLERANCE =
      Duration.ofSeconds(DEFAULT_OUTAGE_TOLERANCE_SECONDS);

  private final RedisConnection redis;
  private final int maxInFlight;
  private final Duration connectTimeout;
  private final Duration outageTolerance;
  private final OnlineWriteListener writeListener;

  private OnlineSink(
      RedisConnection redis,
      int maxInFlight,
      Duration connectTimeout,
      Duration outageTolerance,
      OnlineWriteListener writeListener) {
    this.redis = redis;
    this.maxInFlight = maxInFlight;
    this.connectTimeout = connectTimeout;
    this.outageTolerance = outageTolerance;
    this.writeListener = writeListener;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public SinkWriter<OnlineRow> createWriter(WriterInitContext context) throws IOException {
    return new OnlineSinkWriter(
        redis, maxInFlight, connectTimeout, outageTolerance, writeListener, context.metricGroup());
  }

  public RedisConnection redis() {
    return redis;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration outageTolerance() {
    return outageTolerance;
  }

  public OnlineWriteListener writeListener() {
    return writeListener;
  }

  /** Options of an {@link OnlineSink}; only Redis has no default. */
  public static final class Builder {

    private RedisConnection redis;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration outageTolerance = DEFAULT_OUTAGE_TOLERANCE;
    private OnlineWriteListener writeListener = OnlineWriteListener.NONE;

    private Builder() {}

    /**
     * Where Redis listens and how to log in and trust it; see {@link RedisConnection} for a
     * password from a file or environment variable and TLS with a private CA.
     */
    public Builder redis(RedisConnection redis) {
      this.redis = Objects.requireNonNull(redis, "redis");
      return this;
    }

    /**
     * Where Redis listens, as a Lettuce URI with everything in it: {@code redis://host:port}, with
     * an optional password and database ({@code redis://:secret@host:port/0}), or {@code rediss://}
     * for TLS. Short for {@code redis(RedisConnection.of(redisUri))}.
     *
     * @throws IllegalArgumentException if it is no Redis URI
     */
    public Builder redisUri(String redisUri) {
      return redis(RedisConnection.of(Objects.requireNonNull(redisUri, "redisUri")));
    }

    /**
     * How many rows may wait for Redis's acknowledgement at a time; a further write blocks (and so
     * backpressures the job) until one is acknowledged. Default {@value #DEFAULT_MAX_IN_FLIGHT}.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException(
            "maxInFlight is " + maxInFlight + "; it must be at least 1");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * How long connecting to Redis may take: the first connect and script load when the writer
     * starts (which fail the job when Redis is unreachable then), and each reconnect attempt during
     * an outage. Default 10 seconds.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout is " + connectTimeout + "; it must be positive");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * How long a row may wait for Redis's acknowledgement, while the writer holds it through
     * reconnects and backpressures the job, before it fails the job. Checkpoints wait for held
     * rows, so keep Flink's checkpoint timeout above it. Default 2 minutes.
     */
    public Builder outageTolerance(Duration outageTolerance) {
      Objects.requireNonNull(outageTolerance, "outageTolerance");
      if (outageTolerance.isNegative() || outageTolerance.isZero()) {
        throw new IllegalArgumentException(
            "outageTolerance is " + outageTolerance + "; it must be positive");
      }
      this.outageTolerance = outageTolerance;
      return this;
    }

    /**
     * Who hears about each row Redis acknowledged as written, e.g. the job's per-contract freshness
     * metrics. Default {@link OnlineWriteListener#NONE}.
     */
    public Builder writeListener(OnlineWriteListener writeListener) {
      Objects.requireNonNull(
          writeListener, "writeListener is null; leave it unset or use OnlineWriteListener.NONE");
      this.writeListener = writeListener;
      return this;
    }

    public OnlineSink build() {
      if (redis == null) {
        throw new IllegalStateException(
            "Redis is not set; call redis(RedisConnection) or redisUri(\"redis://host:6379\")"
                + " before build()");
      }
      return new OnlineSink(redis, maxInFlight, connectTimeout, outageTolerance, writeListener);
    }
  }
}
