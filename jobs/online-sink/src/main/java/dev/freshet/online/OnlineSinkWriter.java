package dev.freshet.online;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link OnlineSink}: one Redis connection per subtask, one Lua script call per row
 * (see {@code newer-wins.lua} next to this class), at most {@code maxInFlight} rows unacknowledged.
 *
 * <p>Threads: {@link #write} and {@link #flush} run on the task thread; Lettuce completes each call
 * on its I/O thread, which updates the thread-safe metrics, tells the {@link OnlineWriteListener}
 * about a written row, records the first failure and then releases the row's permit, so that a
 * flush returns only after the listener heard every row before it. The task thread throws that
 * failure at its next write or flush.
 *
 * <p>Redis away: Lettuce keeps every call it could not complete (those sent on the lost connection
 * and those issued since), reconnects with a backoff capped at {@link #RECONNECT_DELAY_MAX}, and
 * sends them again in their order once Redis answers. The writer therefore holds its rows without
 * doing anything: they keep their permits, so it blocks after {@code maxInFlight} of them and the
 * job backpressures. A row fails the job only when it has waited for the outage tolerance, the
 * command timeout of the client. The one call Lettuce fails with the broken connection's error, and
 * Redis answering that it cannot run a script yet (LOADING while it reads its data after a restart,
 * BUSY while another script runs), are part of the same outage: the writer sends that row again
 * after a backoff instead of failing.
 */
final class OnlineSinkWriter implements SinkWriter<OnlineRow> {

  private static final Logger LOG = LoggerFactory.getLogger(OnlineSinkWriter.class);

  private static final String SCRIPT_RESOURCE = "newer-wins.lua";
  private static final byte[] SCRIPT = readScript();

  /** The script's reply when it wrote the row; it replies 0 when it skipped it as older. */
  private static final long WRITTEN = 1;

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Reconnect attempts double their delay from {@link #RECONNECT_DELAY_MIN} up to this cap, so that
   * the writer finds Redis back within a second of its return. Lettuce's own cap, 30 seconds, could
   * leave a 30-second outage unnoticed for another 30. An attempt against a Redis that is down
   * costs one refused connection.
   */
  static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(1);

  static final Duration RECONNECT_DELAY_MIN = Duration.ofMillis(50);

  /**
   * Backoff of a row that Redis answered LOADING or BUSY: doubling from the first, up to the cap.
   */
  static final Duration RETRY_DELAY_FIRST = Duration.ofMillis(50);

  static final Duration RETRY_DELAY_MAX = Duration.ofSeconds(1);

  /** In {@link #firstSentNanos}: a slot that holds no row. */
  private static final long FREE_SLOT = Long.MIN_VALUE;

  /** In {@link #disconnectedAtNanos}: no outage. */
  private static final long CONNECTED = Long.MIN_VALUE;

  private final RedisConnection redisConnection;
  private final int maxInFlight;
  private final Duration outageTolerance;
  private final MetricGroup metricGroup;
  private final OnlineWriteListener writeListener;
  private final RedisWriteMetrics redisMetrics;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final String scriptSha;

  /** One permit per row that may be unacknowledged. */
  private final Semaphore inFlight;

  /**
   * When each unacknowledged row was first sent ({@link System#nanoTime()}), by slot, for the
   * oldest wait; a row takes a free slot after its permit and gives it back before it, so a slot is
   * always free for a row that holds a permit.
   */
  private final AtomicLongArray firstSentNanos;

  private final ArrayBlockingQueue<Integer> freeSlots;

  /**
   * The first failed or timed-out write, or the first exception of the listener, described where it
   * happened; later failures are consequences of the same cause.
   */
  private final AtomicReference<IOException> firstFailure = new AtomicReference<>();

  /** Set by {@link #close}: the connection it closes is no outage. */
  private volatile boolean closing;

  /** When the connection was lost, or {@link #CONNECTED}; for the log. */
  private volatile long disconnectedAtNanos = CONNECTED;

  /** Touched only on the task thread. */
  private final Map<String, FeatureViewMetrics> metricsByFeatureView = new HashMap<>();

  /**
   * Registers the metrics, opens the listener, then connects to Redis and loads the script. The
   * listener is opened first so that a listener that throws leaves no connection behind.
   *
   * @param connectTimeout how long connecting (also each reconnect attempt) and loading the script
   *     may take
   * @param outageTolerance how long a row may wait for Redis's acknowledgement, through reconnects,
   *     before it fails the job
   * @throws IOException if Redis cannot be reached within {@code connectTimeout}, refuses the
   *     password or the TLS handshake fails; the message says why, without the password
   */
  OnlineSinkWriter(
      RedisConnection redisConnection,
      int maxInFlight,
      Duration connectTimeout,
      Duration outageTolerance,
      OnlineWriteListener writeListener,
      MetricGroup metricGroup)
      throws IOException {
    this.redisConnection = redisConnection;
    this.maxInFlight = maxInFlight;
    this.outageTolerance = outageTolerance;
    this.metricGroup = metricGroup;
    this.writeListener = writeListener;
    this.inFlight = new Semaphore(maxInFlight);
    this.firstSentNanos = new AtomicLongArray(maxInFlight);
    this.freeSlots = new ArrayBlockingQueue<>(maxInFlight);
    for (int slot = 0; slot < maxInFlight; slot++) {
      firstSentNanos.set(slot, FREE_SLOT);
      freeSlots.add(slot);
    }
    this.redisMetrics =
        new RedisWriteMetrics(metricGroup, this::rowsWaiting, this::oldestWaitMillis);
    writeListener.open(metricGroup);

    RedisURI uri = redisConnection.toRedisUri();
    uri.setTimeout(connectTimeout);
    // One connection needs one I/O thread; Lettuce's default is a thread per core, per writer.
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(1)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                Delay.exponential(
                    RECONNECT_DELAY_MIN, RECONNECT_DELAY_MAX, 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            // Stated although they are Lettuce's defaults, because the outage handling rests on
            // them: reconnect by itself, and keep (then send again, in order) every call issued
            // or unanswered while the connection is down.
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
            // Without a timeout a call would wait forever while the client reconnects; this is
            // where the outage tolerance ends.
            .timeoutOptions(TimeoutOptions.enabled(outageTolerance))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .sslOptions(redisConnection.sslOptions())
            .build());
    client.addListener(new ConnectionLog());
    try {
      this.connection = client.connect(ByteArrayCodec.INSTANCE);
      this.scriptSha =
          connection
              .async()
              .scriptLoad(SCRIPT)
              .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException | ExecutionException | TimeoutException e) {
      shutDownClient();
      throw new IOException(redisConnection.connectFailure(e), e);
    } catch (InterruptedException e) {
      shutDownClient();
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while connecting to Redis at " + redisConnection, e);
    }
    this.redis = connection.async();
  }

  /**
   * Sends the row and returns; blocks while {@code maxInFlight} rows are unacknowledged, also while
   * Redis is away.
   *
   * @throws IOException if an earlier write failed
   * @throws IllegalArgumentException if the row's event time is before 1970 or its fields and
   *     values differ in number
   */
  @Override
  public void write(OnlineRow row, Context context) throws IOException, InterruptedException {
    checkRow(row);
    FeatureViewMetrics metrics =
        metricsByFeatureView.computeIfAbsent(
            row.featureView, featureView -> new FeatureViewMetrics(metricGroup, featureView));
    inFlight.acquire();
    if (firstFailure.get() != null) {
      inFlight.release();
      throwFirstFailure();
    }
    int slot = freeSlots.remove();
    long sentAtNanos = System.nanoTime();
    firstSentNanos.set(slot, sentAtNanos);
    PendingRow pending =
        new PendingRow(
            row.key, scriptArguments(row), row.featureView, row.eventTimeMillis, metrics, slot);
    try {
      send(pending);
    } catch (RuntimeException e) {
      release(slot);
      throw e;
    }
  }

  /**
   * Returns once Redis has acknowledged every row written before; Flink calls this at every
   * checkpoint barrier and at the end of input. While Redis is away this waits, for at most the
   * outage tolerance, and so does the checkpoint.
   *
   * @throws IOException if any of those rows failed
   */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    inFlight.acquire(maxInFlight);
    inFlight.release(maxInFlight);
    if (firstFailure.get() != null) {
      throwFirstFailure();
    }
  }

  /**
   * Closes the connection without waiting for unacknowledged rows: Flink flushed those it needs.
   */
  @Override
  public void close() {
    closing = true;
    try {
      connection.close();
    } finally {
      shutDownClient();
    }
  }

  /**
   * One script call of a row. The client times a call out after the outage tolerance; a call sent
   * again gets only what is left of the row's tolerance, so that no row waits longer in all.
   */
  private void send(PendingRow pending) {
    long attemptNanos = System.nanoTime();
    CompletableFuture<Long> reply = runScript(new byte[][] {pending.key}, pending.arguments);
    if (pending.retries > 0) {
      long waitedNanos = attemptNanos - firstSentNanos.get(pending.slot);
      reply = reply.orTimeout(outageTolerance.toNanos() - waitedNanos, TimeUnit.NANOSECONDS);
    }
    reply.whenComplete((result, failure) -> completed(pending, attemptNanos, result, failure));
  }

  /** On the I/O thread; releases the row's permit unless the row goes out again. */
  private void completed(PendingRow pending, long attemptNanos, Long result, Throwable failure) {
    boolean retrying = false;
    try {
      if (failure == null) {
        redisMetrics.acknowledged(System.nanoTime() - attemptNanos);
        if (result == WRITTEN) {
          tellListener(pending.featureView, pending.eventTimeMillis, System.currentTimeMillis());
        } else {
          pending.metrics.skippedAsOlder();
        }
      } else if (mayRetry(pending, unwrap(failure))) {
        retrying = retryLater(pending);
      } else {
        redisMetrics.failed();
        firstFailure.compareAndSet(null, writeFailed(unwrap(failure)));
      }
    } finally {
      if (!retrying) {
        release(pending.slot);
      }
    }
  }

  /**
   * Whether the call failed for a passing reason and the row is still within the outage tolerance.
   * Passing: the connection broke under the call (Lettuce holds and resends the other calls on it,
   * but fails the one it was reading a reply for with the connection's error), or Redis answered
   * that it cannot run scripts yet: LOADING while it reads its data after a restart, BUSY while
   * another client's script runs too long. Anything else (a script error over a stored value it
   * cannot read, a timeout, out of memory) fails the job, as does any failure once an earlier one
   * will.
   */
  private boolean mayRetry(PendingRow pending, Throwable failure) {
    boolean passing =
        failure instanceof IOException
            || failure instanceof RedisConnectionException
            || failure instanceof RedisLoadingException
            || failure instanceof RedisBusyException;
    long waitedNanos = System.nanoTime() - firstSentNanos.get(pending.slot);
    return passing && firstFailure.get() == null && waitedNanos < outageTolerance.toNanos();
  }

  /**
   * Sends the row again after its backoff. Only this row goes out later than rows written after it;
   * newer-wins keeps an older event time of the same key from overwriting a newer one.
   *
   * @return false if the retry could not be scheduled (the writer is closing), after keeping why
   */
  private boolean retryLater(PendingRow pending) {
    long delayMillis =
        Math.min(
            RETRY_DELAY_MAX.toMillis(),
            RETRY_DELAY_FIRST.toMillis() << Math.min(pending.retries, 16));
    pending.retries++;
    redisMetrics.retried();
    try {
      resources
          .eventExecutorGroup()
          .schedule(() -> resend(pending), delayMillis, TimeUnit.MILLISECONDS);
      return true;
    } catch (RuntimeException rejected) {
      redisMetrics.failed();
      firstFailure.compareAndSet(null, writeFailed(rejected));
      return false;
    }
  }

  private void resend(PendingRow pending) {
    try {
      send(pending);
    } catch (RuntimeException e) {
      redisMetrics.failed();
      firstFailure.compareAndSet(null, writeFailed(e));
      release(pending.slot);
    }
  }

  private void release(int slot) {
    firstSentNanos.set(slot, FREE_SLOT);
    freeSlots.add(slot);
    inFlight.release();
  }

  /**
   * Rows sent or held and not yet acknowledged; the writer blocks at {@code maxInFlight}. Counted
   * by slots, not permits, which a flush takes all at once.
   */
  private long rowsWaiting() {
    return maxInFlight - freeSlots.size();
  }

  /** How long the oldest unacknowledged row has waited, in ms; 0 when none waits. */
  private long oldestWaitMillis() {
    long now = System.nanoTime();
    long longestNanos = 0;
    for (int slot = 0; slot < maxInFlight; slot++) {
      long sentAt = firstSentNanos.get(slot);
      if (sentAt != FREE_SLOT) {
        longestNanos = Math.max(longestNanos, now - sentAt);
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(longestNanos);
  }

  private static void checkRow(OnlineRow row) {
    if (row.eventTimeMillis < 0) {
      throw new IllegalArgumentException(
          "Row of feature view "
              + row.featureView
              + " has event time "
              + row.eventTimeMillis
              + " ms, before 1970; the online sink writes event times from 1970 on");
    }
    if (row.fields.length != row.values.length) {
      throw new IllegalArgumentException(
          "Row of feature view "
              + row.featureView
              + " has "
              + row.fields.length
              + " fields but "
              + row.values.length
              + " values");
    }
  }

  /** The script's ARGV, in the order newer-wins.lua documents. */
  private static byte[][] scriptArguments(OnlineRow row) {
    byte[][] arguments = new byte[4 + 2 * row.fields.length][];
    arguments[0] = FeastRedisLayout.timestampField(row.featureView);
    arguments[1] = FeastRedisLayout.timestamp(row.eventTimeMillis);
    arguments[2] = ascii(row.eventTimeMillis);
    arguments[3] = ascii(row.expiryMillis);
    for (int i = 0; i < row.fields.length; i++) {
      arguments[4 + 2 * i] = row.fields[i];
      arguments[5 + 2 * i] = row.values[i];
    }
    return arguments;
  }

  /**
   * EVALSHA, and EVAL when Redis does not know the script: its script cache is empty after a
   * restart or a failover. EVAL caches the script again, so later rows go back to EVALSHA.
   */
  private CompletableFuture<Long> runScript(byte[][] keys, byte[][] arguments) {
    return redis
        .<Long>evalsha(scriptSha, ScriptOutputType.INTEGER, keys, arguments)
        .toCompletableFuture()
        .exceptionallyCompose(
            failure ->
                unwrap(failure) instanceof RedisNoScriptException
                    ? redis
                        .<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, arguments)
                        .toCompletableFuture()
                    : CompletableFuture.failedFuture(failure));
  }

  /**
   * Runs on the I/O thread, where an exception would only complete a future nobody reads: it is
   * kept instead, to fail the job like a failed write.
   */
  private void tellListener(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
    try {
      writeListener.written(featureView, eventTimeMillis, acknowledgedAtMillis);
    } catch (RuntimeException e) {
      firstFailure.compareAndSet(
          null,
          new IOException(
              "The write listener "
                  + writeListener.getClass().getName()
                  + " threw on a written row of feature view "
                  + featureView
                  + ": "
                  + e.getMessage()
                  + ". A listener must not throw; fix it, or leave it out of the sink.",
              e));
    }
  }

  private IOException writeFailed(Throwable failure) {
    String what =
        failure instanceof RedisCommandTimeoutException || failure instanceof TimeoutException
            ? " was not acknowledged within the outage tolerance of " + outageTolerance + ": "
            : " failed: ";
    return new IOException(
        "A write to Redis at "
            + redisConnection
            + what
            + (failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage())
            + ". Flink's restart strategy restarts the job from its last checkpoint, and replaying"
            + " rows that Redis already holds changes nothing.",
        failure);
  }

  /** Throws a copy of the kept failure, so that its stack trace shows this thread's call. */
  private void throwFirstFailure() throws IOException {
    IOException failure = firstFailure.get();
    throw new IOException(failure.getMessage(), failure.getCause());
  }

  private void shutDownClient() {
    client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
    resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A row waiting for Redis. Its retry count is touched by one thread at a time: the I/O thread
   * that completed its call, then the one that sends it again.
   */
  private static final class PendingRow {
    final byte[] key;
    final byte[][] arguments;
    final String featureView;
    final long eventTimeMillis;
    final FeatureViewMetrics metrics;
    final int slot;
    int retries;

    PendingRow(
        byte[] key,
        byte[][] arguments,
        String featureView,
        long eventTimeMillis,
        FeatureViewMetrics metrics,
        int slot) {
      this.key = key;
      this.arguments = arguments;
      this.featureView = featureView;
      this.eventTimeMillis = eventTimeMillis;
      this.metrics = metrics;
      this.slot = slot;
    }
  }

  /**
   * Counts lost connections and logs the outage: how many rows wait, and for how long once Redis is
   * back. Lettuce calls it on its I/O thread, also for the first connect.
   */
  private final class ConnectionLog implements RedisConnectionStateListener {

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> lost) {
      if (disconnectedAtNanos != CONNECTED || closing) {
        return;
      }
      disconnectedAtNanos = System.nanoTime();
      redisMetrics.disconnected();
      LOG.warn(
          "Lost the connection to Redis at {} with {} rows unacknowledged; reconnecting and"
              + " holding rows (at most {}, then the job backpressures), failing the job if a row"
              + " waits longer than {}",
          redisConnection,
          rowsWaiting(),
          maxInFlight,
          outageTolerance);
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connected) {
      long lostAt = disconnectedAtNanos;
      if (lostAt == CONNECTED) {
        return;
      }
      disconnectedAtNanos = CONNECTED;
      LOG.info(
          "Reconnected to Redis at {} after {} ms; sending the {} held rows again",
          redisConnection,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt),
          rowsWaiting());
    }
  }

  private static byte[] readScript() {
    try (InputStream in = OnlineSinkWriter.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + SCRIPT_RESOURCE, e);
    }
  }
}
