package dev.freshet.localstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server from the machine's packages running as a child process of this JVM: started with its
 * output in a log file, ready once a probe answers, stopped with SIGTERM (SIGKILL after a deadline)
 * on {@link #close} or when the JVM exits.
 */
final class ChildServer implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READINESS_POLL_INTERVAL = Duration.ofMillis(50);

  private final String binary;
  private final Process process;
  private final int port;
  private final Path logFile;
  private final Thread shutdownHook;
  private boolean closed;

  private ChildServer(String binary, Process process, int port, Path logFile) {
    this.binary = binary;
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::close, binary + "-process-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Whether {@code binary} is an executable on the PATH. */
  static boolean onPath(String binary) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts {@code command} (its first element is the binary) in {@code workDir}, appending its
   * output to {@code logFile}, and returns once {@code ready} answers true.
   *
   * @param port the port the command makes the server listen on
   * @param debianPackage named in the error when the binary is missing
   * @throws IllegalStateException if the binary is missing, exits, or is not ready in time; the
   *     message ends with its log
   */
  static ChildServer start(
      List<String> command,
      String debianPackage,
      int port,
      Path workDir,
      Path logFile,
      Duration startupTimeout,
      BooleanSupplier ready) {
    long deadlineNanos = System.nanoTime() + startupTimeout.toNanos();
    String binary = command.get(0);
    Process process;
    try {
      Files.createDirectories(workDir);
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start "
              + binary
              + " (is it installed? on Debian: apt-get install "
              + debianPackage
              + "): "
              + e.getMessage(),
          e);
    }
    ChildServer server = new ChildServer(binary, process, port, logFile);
    try {
      server.awaitReady(deadlineNanos, startupTimeout, ready);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  Path logFile() {
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

  private void awaitReady(long deadlineNanos, Duration startupTimeout, BooleanSupplier ready) {
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            binary + " exited with code " + process.exitValue() + " during start-up" + logText());
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            binary + " was not ready within " + startupTimeout + logText());
      }
      try {
        Thread.sleep(READINESS_POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + binary, e);
      }
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
