package dev.freshet.localstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (combined KRaft broker and controller) in a separate local java
 * process, listening on free loopback ports.
 *
 * <p>It stands in for a Docker container where there is no Docker engine. Its internal topics have
 * replication factor 1 so that consumer groups and transactions work on one node. Closing it, or
 * shutting down the JVM that started it, stops the process.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);

  /** Generous because CI machines have two cores shared with other JVMs. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration FORCED_STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READINESS_POLL_INTERVAL = Duration.ofMillis(100);
  private static final int READINESS_REQUEST_TIMEOUT_MS = 2_000;
  private static final int LOG_TAIL_LINES = 40;
  private static final String LOOPBACK = LoopbackPorts.LOOPBACK;

  private final BrokerFiles files;
  private final int brokerPort;
  private final int controllerPort;
  private final Process process;
  private final Thread shutdownHook;
  private boolean closed;

  private KafkaBrokerProcess(
      BrokerFiles files, int brokerPort, int controllerPort, Process process) {
    this.files = files;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.process = process;
    this.shutdownHook = new Thread(this::close, "kafka-broker-process-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a broker whose configuration, data and log live in {@code workDir}. */
  public static KafkaBrokerProcess start(Path workDir) {
    return start(workDir, DEFAULT_STARTUP_TIMEOUT);
  }

  /**
   * Starts a broker whose configuration, data and log live in {@code workDir}, and returns once it
   * answers requests.
   *
   * <p>A {@code workDir} that already holds a formatted broker is reused with its topics and data.
   *
   * @throws IllegalStateException if the broker exits or is not ready within {@code
   *     startupTimeout}; the message ends with the last lines of its log.
   */
  public static KafkaBrokerProcess start(Path workDir, Duration startupTimeout) {
    long startNanos = System.nanoTime();
    String classpath =
        ResolvedClasspath.load(
            KafkaBrokerProcess.class, "kafka-broker.classpath", "jobs/local-stack");
    int[] ports = LoopbackPorts.pickFree(2);
    BrokerFiles files = BrokerFiles.write(workDir.toAbsolutePath(), ports[0], ports[1]);
    if (!files.isFormatted()) {
      formatStorage(classpath, files);
    }

    KafkaBrokerProcess broker =
        new KafkaBrokerProcess(files, ports[0], ports[1], launch(classpath, files));
    try {
      broker.awaitReady(startNanos + startupTimeout.toNanos(), startupTimeout);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    LOG.info(
        "Kafka broker ready at {} in {} ms (pid {}, log {})",
        broker.bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        broker.process.pid(),
        files.brokerLog());
    return broker;
  }

  /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
  public String bootstrapServers() {
    return LOOPBACK + ":" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  /** The broker's stdout and stderr. */
  public Path logFile() {
    return files.brokerLog();
  }

  public ProcessHandle processHandle() {
    return process.toHandle();
  }

  /**
   * Stops the broker: a graceful stop first, then a forced one after a deadline. Safe to call more
   * than once and from several threads.
   */
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
    stopProcessTree();
  }

  private void stopProcessTree() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    if (!awaitExit(process.toHandle(), GRACEFUL_STOP_TIMEOUT)) {
      LOG.warn(
          "Kafka broker (pid {}) did not stop within {}; killing it",
          process.pid(),
          GRACEFUL_STOP_TIMEOUT);
      process.destroyForcibly();
      awaitExit(process.toHandle(), FORCED_STOP_TIMEOUT);
    }
    for (ProcessHandle descendant : descendants) {
      if (descendant.isAlive()) {
        descendant.destroyForcibly();
        awaitExit(descendant, FORCED_STOP_TIMEOUT);
      }
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      // Still leave no broker behind; the caller sees the interrupt flag.
      Thread.currentThread().interrupt();
      handle.destroyForcibly();
      return false;
    }
  }

  private void awaitReady(long deadlineNanos, Duration startupTimeout) {
    Admin admin = null;
    try {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited with code "
                  + process.exitValue()
                  + " during start-up"
                  + logTail(logFile()));
        }
        if (admin == null && isAcceptingConnections()) {
          // Created only once the port is open, so that the client logs no refused connections.
          admin =
              Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        }
        if (admin != null && hasRegisteredBroker(admin)) {
          return;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new IllegalStateException(
              "Kafka broker (pid "
                  + process.pid()
                  + ") was not ready within "
                  + startupTimeout
                  + logTail(logFile()));
        }
        Thread.sleep(READINESS_POLL_INTERVAL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    } finally {
      if (admin != null) {
        admin.close(Duration.ZERO);
      }
    }
  }

  private boolean isAcceptingConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, brokerPort), READINESS_REQUEST_TIMEOUT_MS);
      return true;
    } catch (IOException notYetListening) {
      return false;
    }
  }

  private static boolean hasRegisteredBroker(Admin admin) throws InterruptedException {
    try {
      return !admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(READINESS_REQUEST_TIMEOUT_MS))
          .nodes()
          .get()
          .isEmpty();
    } catch (ExecutionException notYetServing) {
      return false;
    }
  }

  private static void formatStorage(String classpath, BrokerFiles files) {
    Process format =
        startJava(
            List.of(
                "-Xmx256m",
                // A short-lived tool: compiling hot code with C2 would only cost start-up time.
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                "-Dlog4j2.configurationFile=" + files.log4jConfig(),
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                files.serverProperties().toString()),
            files.dir(),
            files.formatLog());
    try {
      if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        format.destroyForcibly();
        throw new IllegalStateException(
            "Formatting the Kafka log dir took longer than "
                + FORMAT_TIMEOUT
                + logTail(files.formatLog()));
      }
    } catch (InterruptedException e) {
      format.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while formatting the Kafka log dir", e);
    }
    if (format.exitValue() != 0) {
      throw new IllegalStateException(
          "Formatting the Kafka log dir failed with exit code "
              + format.exitValue()
              + logTail(files.formatLog()));
    }
  }

  private static Process launch(String classpath, BrokerFiles files) {
    return startJava(
        List.of(
            "-Xms128m",
            "-Xmx512m",
            // C1 only: measured a third less CPU to start, which counts on two shared cores; a
            // local broker's load is too light to miss C2's faster code.
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + files.log4jConfig(),
            "-cp",
            classpath,
            "kafka.Kafka",
            files.serverProperties().toString()),
        files.dir(),
        files.brokerLog());
  }

  private static Process startJava(List<String> arguments, Path dir, Path log) {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(arguments);
    try {
      return new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
  }

  private static String logTail(Path log) {
    Deque<String> tail = new ArrayDeque<>(LOG_TAIL_LINES);
    // InputStreamReader replaces malformed bytes instead of failing on them.
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (tail.size() == LOG_TAIL_LINES) {
          tail.removeFirst();
        }
        tail.addLast(line);
      }
    } catch (IOException e) {
      return "; its log " + log + " cannot be read: " + e;
    }
    return "; last lines of " + log + ":\n" + String.join("\n", tail);
  }

  /** The files a broker keeps in its work dir. */
  private record BrokerFiles(Path dir) {

    static BrokerFiles write(Path dir, int brokerPort, int controllerPort) {
      BrokerFiles files = new BrokerFiles(dir);
      try {
        Files.createDirectories(dir);
        Files.writeString(
            files.serverProperties(), files.serverProperties(brokerPort, controllerPort));
        try (InputStream log4jConfig =
            KafkaBrokerProcess.class.getResourceAsStream("kafka-broker-log4j2.properties")) {
          Files.copy(log4jConfig, files.log4jConfig(), StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the Kafka broker configuration to " + dir, e);
      }
      return files;
    }

    Path dataDir() {
      return dir.resolve("data");
    }

    /** A reused work dir keeps its cluster id, topics and data. */
    boolean isFormatted() {
      return Files.exists(dataDir().resolve("meta.properties"));
    }

    Path brokerLog() {
      return dir.resolve("broker.log");
    }

    Path formatLog() {
      return dir.resolve("storage-format.log");
    }

    Path serverProperties() {
      return dir.resolve("server.properties");
    }

    Path log4jConfig() {
      return dir.resolve("broker-log4j2.properties");
    }

    private String serverProperties(int brokerPort, int controllerPort) {
      String broker = "PLAINTEXT://" + LOOPBACK + ":" + brokerPort;
      String controller = "CONTROLLER://" + LOOPBACK + ":" + controllerPort;
      return String.join(
          "\n",
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.voters=1@" + LOOPBACK + ":" + controllerPort,
          "listeners=" + broker + "," + controller,
          "advertised.listeners=" + broker,
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "log.dirs=" + dataDir(),
          // One node: every internal topic must fit on it.
          "offsets.topic.replication.factor=1",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "share.coordinator.state.topic.replication.factor=1",
          "share.coordinator.state.topic.min.isr=1",
          "default.replication.factor=1",
          "min.insync.replicas=1",
          // Few partitions for internal topics: creating 50 on first use costs seconds locally.
          "offsets.topic.num.partitions=1",
          "transaction.state.log.num.partitions=1",
          "share.coordinator.state.topic.num.partitions=1",
          "num.partitions=1",
          "group.initial.rebalance.delay.ms=0",
          // Topics are created explicitly, so a typo in a topic name fails instead of creating one.
          "auto.create.topics.enable=false",
          "");
    }
  }
}
