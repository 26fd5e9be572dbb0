package dev.freshet.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server ({@code redis-server} from the machine's packages) as a child process on a
 * free loopback port: the online store of the local run and of tests without Docker. It keeps
 * nothing on disk (no RDB snapshots, no append-only file), so a new process starts empty.
 */
public final class RedisServerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);

  public static final String BINARY = "redis-server";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final int PING_TIMEOUT_MS = 1_000;

  private final ChildServer server;

  private RedisServerProcess(ChildServer server) {
    this.server = server;
  }

  /** Whether {@value #BINARY} is on the PATH. */
  public static boolean binaryAvailable() {
    return ChildServer.onPath(BINARY);
  }

  /**
   * Starts a server whose log lives in {@code workDir} and returns once it answers PING.
   *
   * @throws IllegalStateException if {@value #BINARY} is missing, exits, or does not answer in
   *     time; the message ends with its log
   */
  public static RedisServerProcess start(Path workDir) {
    long startNanos = System.nanoTime();
    int port = LoopbackPorts.pickFree(1)[0];
    Path dir = workDir.toAbsolutePath();
    Path log = dir.resolve("redis.log");
    ChildServer server =
        ChildServer.start(
            List.of(
                BINARY,
                "--bind",
                LoopbackPorts.LOOPBACK,
                "--port",
                Integer.toString(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no"),
            "redis-server",
            port,
            dir,
            log,
            STARTUP_TIMEOUT,
            () -> answersPing(port));
    RedisServerProcess redis = new RedisServerProcess(server);
    LOG.info(
        "Redis ready at {} in {} ms (pid {}, log {})",
        redis.uri(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        server.pid(),
        log);
    return redis;
  }

  /** The URI for Redis clients, e.g. {@code redis://127.0.0.1:40123}. */
  public String uri() {
    return "redis://" + LoopbackPorts.LOOPBACK + ":" + server.port();
  }

  public String host() {
    return LoopbackPorts.LOOPBACK;
  }

  public int port() {
    return server.port();
  }

  public Path logFile() {
    return server.logFile();
  }

  /** Stops the server (SIGTERM, then SIGKILL after a deadline). Safe to call more than once. */
  @Override
  public void close() {
    server.close();
  }

  /** PING in Redis's wire protocol (RESP); a ready server answers {@code +PONG}. */
  private static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LoopbackPorts.LOOPBACK, port), PING_TIMEOUT_MS);
      socket.setSoTimeout(PING_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException notYet) {
      return false;
    }
  }
}
