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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
 *
 * <p>{@link #start} serves clients in plain text without authentication, as the local run wants it.
 * {@link #startWithSaslSsl} serves them as a production broker should: TLS, and a SCRAM password,
 * for tests of the clients' security settings.
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

  /** The SASL mechanism of {@link #startWithSaslSsl}: SCRAM, what Kafka deployments use. */
  public static final String SASL_MECHANISM = "SCRAM-SHA-512";

  /** The one SCRAM user of {@link #startWithSaslSsl}. */
  public static final String SASL_USERNAME = "freshet";

  /** Kafka's default and minimum for SCRAM-SHA-512 is 4096; as many as a real deployment uses. */
  private static final int SCRAM_ITERATIONS = 8192;

  private final BrokerFiles files;
  private final Ports ports;
  private final SaslSsl saslSsl;
  private final Process process;
  private final Thread shutdownHook;
  private boolean closed;

  private KafkaBrokerProcess(BrokerFiles files, Ports ports, SaslSsl saslSsl, Process process) {
    this.files = files;
    this.ports = ports;
    this.saslSsl = saslSsl;
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
    int[] free = LoopbackPorts.pickFree(2);
    // Clients and the broker itself share the one plain-text listener.
    return start(workDir, startupTimeout, new Ports(free[0], free[0], free[1]), null);
  }

  /**
   * Starts a broker whose client listener speaks SASL_SSL only: TLS with {@code certificates}'
   * server certificate, and SCRAM-SHA-512 as the user {@value #SASL_USERNAME} with a random
   * password, which {@link #password()} and {@link #passwordFile()} give to clients. It returns
   * once a client that trusts the CA and gives the password is served.
   *
   * <p>The controller listener and the listener the broker uses to reach itself stay plain text, on
   * loopback only, as they are inside a cluster's private network; {@link #bootstrapServers()} is
   * the SASL_SSL listener. The password reaches the broker through its Admin API on that internal
   * listener, never a command line or a file of the broker; a restart on the same {@code workDir}
   * gives the user a new password.
   *
   * @param certificates a server certificate valid for {@code IP:127.0.0.1}, as clients check the
   *     host name by default
   * @throws IllegalStateException if the broker exits or is not ready within {@link
   *     #DEFAULT_STARTUP_TIMEOUT}; the message ends with the last lines of its log
   */
  public static KafkaBrokerProcess startWithSaslSsl(
      Path workDir, ThrowawayCertificates certificates) {
    Path dir = workDir.toAbsolutePath();
    String password = Secrets.randomPassword();
    Path passwordFile = dir.resolve("client-password");
    // Ends with a newline, as a file written by an editor or echo does: clients must cope.
    Secrets.writeOwnerOnlyFile(passwordFile, password + "\n");
    Path keyAndCertificate = dir.resolve("broker-key-and-certificate.pem");
    try {
      Secrets.writeOwnerOnlyFile(
          keyAndCertificate,
          Files.readString(certificates.serverKey())
              + Files.readString(certificates.serverCertificate()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the certificates for the Kafka broker", e);
    }
    int[] free = LoopbackPorts.pickFree(3);
    SaslSsl saslSsl =
        new SaslSsl(certificates.caCertificate(), keyAndCertificate, password, passwordFile);
    return start(workDir, DEFAULT_STARTUP_TIMEOUT, new Ports(free[0], free[1], free[2]), saslSsl);
  }

  private static KafkaBrokerProcess start(
      Path workDir, Duration startupTimeout, Ports ports, SaslSsl saslSsl) {
    long startNanos = System.nanoTime();
    String classpath =
        ResolvedClasspath.load(
            KafkaBrokerProcess.class, "kafka-broker.classpath", "jobs/local-stack");
    BrokerFiles files = BrokerFiles.write(workDir.toAbsolutePath(), ports, saslSsl);
    if (!files.isFormatted()) {
      formatStorage(classpath, files);
    }

    KafkaBrokerProcess broker =
        new KafkaBrokerProcess(files, ports, saslSsl, launch(classpath, files));
    try {
      broker.awaitReady(startNanos + startupTimeout.toNanos(), startupTimeout);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    LOG.info(
        "Kafka broker ready at {}{} in {} ms (pid {}, log {})",
        broker.bootstrapServers(),
        saslSsl == null ? "" : " (SASL_SSL, " + SASL_MECHANISM + " as " + SASL_USERNAME + ")",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        broker.process.pid(),
        files.brokerLog());
    return broker;
  }

  /**
   * The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}: the SASL_SSL
   * listener of a broker {@linkplain #startWithSaslSsl started with SASL_SSL}.
   */
  public String bootstrapServers() {
    return LOOPBACK + ":" + ports.client();
  }

  /** The port of {@link #bootstrapServers()}. */
  public int brokerPort() {
    return ports.client();
  }

  public int controllerPort() {
    return ports.controller();
  }

  /**
   * The plain-text listener the broker reaches itself on; the same as {@link #brokerPort()} unless
   * {@linkplain #startWithSaslSsl started with SASL_SSL}.
   */
  public int internalPort() {
    return ports.internal();
  }

  /** The certificate of the CA that signed the broker's certificate, PEM. */
  public Path caCertificateFile() {
    return saslSsl().caCertificate();
  }

  /** A file holding the SCRAM password and a newline, readable by its owner only. */
  public Path passwordFile() {
    return saslSsl().passwordFile();
  }

  /** The password clients must give; tests use it to check that it appears nowhere else. */
  public String password() {
    return saslSsl().password();
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

  /**
   * Kills the broker at once (SIGKILL), as a crashed machine or an evicted pod stops it: no
   * controlled shutdown, nothing flushed by Kafka. Its data stays for {@link #restart()}.
   */
  public synchronized void kill() {
    if (closed) {
      return;
    }
    closed = true;
    Runtime.getRuntime().removeShutdownHook(shutdownHook);
    process.destroyForcibly();
    awaitExit(process.toHandle(), FORCED_STOP_TIMEOUT);
  }

  /**
   * Starts the broker again on its data and ports once it was {@linkplain #kill() killed} or
   * {@linkplain #close() closed}, as a restarted pod with its volume and address: clients given
   * {@link #bootstrapServers()} find it again.
   *
   * @throws IllegalStateException if this broker still runs, or the new one is not ready within
   *     {@link #DEFAULT_STARTUP_TIMEOUT}
   */
  public synchronized KafkaBrokerProcess restart() {
    if (!closed) {
      throw new IllegalStateException("Kafka broker (pid " + process.pid() + ") still runs");
    }
    return start(files.dir(), DEFAULT_STARTUP_TIMEOUT, ports, saslSsl);
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
              Admin.create(
                  Map.of(
                      AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LOOPBACK + ":" + internalPort()));
        }
        if (admin != null && hasRegisteredBroker(admin)) {
          if (saslSsl != null) {
            saslSsl.addUser(admin);
            awaitSaslSslClientServed(deadlineNanos, startupTimeout);
          }
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
      socket.connect(new InetSocketAddress(LOOPBACK, internalPort()), READINESS_REQUEST_TIMEOUT_MS);
      return true;
    } catch (IOException notYetListening) {
      return false;
    }
  }

  /**
   * Waits until a client with the CA and the password is served on the SASL_SSL listener: a new
   * SCRAM credential reaches the broker through the metadata log, a moment after it is accepted.
   */
  private void awaitSaslSslClientServed(long deadlineNanos, Duration startupTimeout)
      throws InterruptedException {
    Map<String, Object> client = new HashMap<>(saslSsl.clientProperties());
    client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      while (!hasRegisteredBroker(admin)) {
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new IllegalStateException(
              "Kafka broker (pid "
                  + process.pid()
                  + ") did not serve a SASL_SSL client within "
                  + startupTimeout
                  + logTail(logFile()));
        }
        Thread.sleep(READINESS_POLL_INTERVAL.toMillis());
      }
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

    static BrokerFiles write(Path dir, Ports ports, SaslSsl saslSsl) {
      BrokerFiles files = new BrokerFiles(dir);
      try {
        Files.createDirectories(dir);
        Files.writeString(files.serverProperties(), files.serverProperties(ports, saslSsl));
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

    private String serverProperties(Ports ports, SaslSsl saslSsl) {
      String broker = "PLAINTEXT://" + LOOPBACK + ":" + ports.internal();
      String controller = "CONTROLLER://" + LOOPBACK + ":" + ports.controller();
      String clients = saslSsl == null ? "" : "SASL_SSL://" + LOOPBACK + ":" + ports.client() + ",";
      return String.join(
          "\n",
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.voters=1@" + LOOPBACK + ":" + ports.controller(),
          "listeners=" + clients + broker + "," + controller,
          "advertised.listeners=" + clients + broker,
          "listener.security.protocol.map="
              + "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          saslSsl == null ? "" : saslSsl.listenerProperties(),
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

  /**
   * The broker's ports: {@code client} for {@link #bootstrapServers()}, {@code internal} the
   * plain-text listener the broker reaches itself on (the same as {@code client} without SASL_SSL),
   * {@code controller} the KRaft controller's.
   */
  private record Ports(int client, int internal, int controller) {}

  /** The TLS material and the SCRAM user's password of a broker started with SASL_SSL. */
  private record SaslSsl(
      Path caCertificate, Path keyAndCertificate, String password, Path passwordFile) {

    /** The SASL_SSL listener's settings in server.properties; no password among them. */
    String listenerProperties() {
      String prefix = "listener.name.sasl_ssl.";
      return String.join(
          "\n",
          "sasl.enabled.mechanisms=" + SASL_MECHANISM,
          prefix
              + SASL_MECHANISM.toLowerCase(Locale.ROOT)
              + ".sasl.jaas.config="
              + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
          // An unencrypted PKCS#8 key and its certificate in one PEM file: no keystore password.
          prefix + "ssl.keystore.type=PEM",
          prefix + "ssl.keystore.location=" + keyAndCertificate,
          // Clients authenticate with SCRAM, not with certificates of their own.
          prefix + "ssl.client.auth=none");
    }

    /** Adds the SCRAM user with the password, through the internal listener's {@code admin}. */
    void addUser(Admin admin) {
      try {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        SASL_USERNAME,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                        password)))
            .all()
            .get(READINESS_REQUEST_TIMEOUT_MS * 10L, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "Cannot add the SCRAM user " + SASL_USERNAME + " to the Kafka broker: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while adding the SCRAM user", e);
      }
    }

    /** What a client of the SASL_SSL listener needs besides its bootstrap servers. */
    Map<String, Object> clientProperties() {
      return Map.of(
          "security.protocol",
          "SASL_SSL",
          "sasl.mechanism",
          SASL_MECHANISM,
          // In this JVM only: the broker's own readiness check, never logged (a password config).
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + SASL_USERNAME
              + "\" password=\""
              + password
              + "\";",
          "ssl.truststore.type",
          "PEM",
          "ssl.truststore.location",
          caCertificate.toString());
    }
  }

  private SaslSsl saslSsl() {
    if (saslSsl == null) {
      throw new IllegalStateException(
          "This Kafka broker serves clients in plain text; start one with startWithSaslSsl");
    }
    return saslSsl;
  }
}
