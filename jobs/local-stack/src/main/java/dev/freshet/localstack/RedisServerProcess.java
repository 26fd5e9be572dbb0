package dev.freshet.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READINESS_POLL_INTERVAL = Duration.ofMillis(50);
  private static final int PING_TIMEOUT_MS = 1_000;

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Thread shutdownHook;
  private boolean closed;

  private RedisServerProcess(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::close, "redis-server-process-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Whether {@value #BINARY} is on the PATH. */
  public static boolean binaryAvailable() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
        return true;
      }
    }
    return false;
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
    Process process;
    try {
      Files.createDirectories(dir);
      process =
          new ProcessBuilder(
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
                      "no"))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start "
              + BINARY
              + " (is it installed? on Debian: apt-get install redis-server): "
              + e.getMessage(),
          e);
    }
    RedisServerProcess server = new RedisServerProcess(process, port, log);
    try {
      server.awaitReady(startNanos + STARTUP_TIMEOUT.toNanos());
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.info(
        "Redis ready at {} in {} ms (pid {}, log {})",
        server.uri(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        process.pid(),
        log);
    return server;
  }

  /** The URI for Redis clients, e.g. {@code redis://127.0.0.1:40123}. */
  public String uri() {
    return "redis://" + LoopbackPorts.LOOPBACK + ":" + port;
  }

  public String host() {
    return LoopbackPorts.LOOPBACK;
  }

  public int port() {
    return port;
  }

  public Path logFile() {
    return logFile;
  }

  /** Stops the server (SIGTERM, then SIGKILL after a deadline). Safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shutdownInProgress) {
      // Called from the hook itself (or during JVM shutdown): nothing to unregister.
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady(long deadlineNanos) {
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            BINARY + " exited with code " + process.exitValue() + " during start-up" + logText());
      }
      if (answersPing()) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            BINARY + " did not answer PING within " + STARTUP_TIMEOUT + logText());
      }
      try {
        Thread.sleep(READINESS_POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + BINARY, e);
      }
    }
  }

  /** PING in Redis's wire protocol (RESP); a ready server answers {@code +PONG}. */
  private boolean answersPing() {
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

  private String logText() {
    try {
      return "; its log " + logFile + ":\n" + Files.readString(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + logFile, e);
    }
  }
}
