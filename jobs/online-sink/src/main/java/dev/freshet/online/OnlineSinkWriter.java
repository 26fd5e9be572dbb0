package dev.freshet.online;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The writer of {@link OnlineSink}: one Redis connection per subtask, one Lua script call per row
 * (see {@code newer-wins.lua} next to this class), at most {@code maxInFlight} calls
 * unacknowledged.
 *
 * <p>Threads: {@link #write} and {@link #flush} run on the task thread; Lettuce completes each call
 * on its I/O thread, which updates the thread-safe metrics, tells the {@link OnlineWriteListener}
 * about a written row, records the first failure and then releases the call's permit, so that a
 * flush returns only after the listener heard every row before it. The task thread throws that
 * failure at its next write or flush.
 */
final class OnlineSinkWriter implements SinkWriter<OnlineRow> {

  private static final String SCRIPT_RESOURCE = "newer-wins.lua";
  private static final byte[] SCRIPT = readScript();

  /** The script's reply when it wrote the row; it replies 0 when it skipped it as older. */
  private static final long WRITTEN = 1;

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final RedisConnection redisConnection;
  private final int maxInFlight;
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
   * The first failed or timed-out write, or the first exception of the listener, described where it
   * happened; later failures are consequences of the same cause.
   */
  private final AtomicReference<IOException> firstFailure = new AtomicReference<>();

  /** Touched only on the task thread. */
  private final Map<String, FeatureViewMetrics> metricsByFeatureView = new HashMap<>();

  /**
   * Registers the metrics, opens the listener, then connects to Redis and loads the script. The
   * listener is opened first so that a listener that throws leaves no connection behind.
   *
   * @throws IOException if Redis cannot be reached within {@code writeTimeout}, refuses the
   *     password or the TLS handshake fails; the message says why, without the password
   */
  OnlineSinkWriter(
      RedisConnection redisConnection,
      int maxInFlight,
      Duration writeTimeout,
      OnlineWriteListener writeListener,
      MetricGroup metricGroup)
      throws IOException {
    this.redisConnection = redisConnection;
    this.maxInFlight = maxInFlight;
    this.metricGroup = metricGroup;
    this.writeListener = writeListener;
    this.inFlight = new Semaphore(maxInFlight);
    this.redisMetrics = new RedisWriteMetrics(metricGroup);
    writeListener.open(metricGroup);

    RedisURI uri = redisConnection.toRedisUri();
    uri.setTimeout(writeTimeout);
    // One connection needs one I/O thread; Lettuce's default is a thread per core, per writer.
    this.resources =
        DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            // Without a timeout an async command waits forever while the client reconnects.
            .timeoutOptions(TimeoutOptions.enabled(writeTimeout))
            .socketOptions(SocketOptions.builder().connectTimeout(writeTimeout).build())
            .sslOptions(redisConnection.sslOptions())
            .build());
    try {
      this.connection = client.connect(ByteArrayCodec.INSTANCE);
      this.scriptSha = connection.sync().scriptLoad(SCRIPT);
    } catch (RuntimeException e) {
      shutDownClient();
      throw new IOException(redisConnection.connectFailure(e), e);
    }
    this.redis = connection.async();
  }

  /**
   * Sends the row and returns; blocks while {@code maxInFlight} rows are unacknowledged.
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
    String featureView = row.featureView;
    long eventTimeMillis = row.eventTimeMillis;
    long sentAtNanos = System.nanoTime();
    CompletableFuture<Long> reply;
    try {
      reply = runScript(new byte[][] {row.key}, scriptArguments(row));
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    reply.whenComplete(
        (result, failure) -> {
          try {
            if (failure != null) {
              redisMetrics.failed();
              firstFailure.compareAndSet(null, writeFailed(unwrap(failure)));
            } else {
              redisMetrics.acknowledged(System.nanoTime() - sentAtNanos);
              if (result == WRITTEN) {
                tellListener(featureView, eventTimeMillis, System.currentTimeMillis());
              } else {
                metrics.skippedAsOlder();
              }
            }
          } finally {
            inFlight.release();
          }
        });
  }

  /**
   * Returns once Redis has acknowledged every row written before; Flink calls this at every
   * checkpoint barrier and at the end of input.
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
    try {
      connection.close();
    } finally {
      shutDownClient();
    }
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
    return new IOException(
        "A write to Redis at "
            + redisConnection
            + " failed: "
            + failure.getMessage()
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
