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
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server ({@code redis-server} from the machine's packages) as a child process on a
 * free loopback port: the online store of the local run and of tests without Docker. It keeps
 * nothing on disk (no RDB snapshots, no append-only file), so a new process starts empty.
 *
 * <p>{@link #start} runs it as the local run wants it: plain text, no password. {@link
 * #startWithTls} runs it as a production Redis should be: TLS only and a password, for tests of
 * clients' TLS and authentication settings (Debian's redis-server is built with TLS).
 */
public final class RedisServerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);

  public static final String BINARY = "redis-server";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final int PING_TIMEOUT_MS = 1_000;

  private static final String PING = resp("PING");

  private final ChildServer server;

  /** Null for a server without TLS and password. */
  private final Tls tls;

  private RedisServerProcess(ChildServer server, Tls tls) {
    this.server = server;
    this.tls = tls;
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
    List<String> command = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port)));
    command.addAll(commonArguments(dir));
    RedisServerProcess redis =
        new RedisServerProcess(
            startChild(command, port, dir, () -> answers(SocketFactory.getDefault(), port, PING)),
            null);
    redis.logReady(startNanos);
    return redis;
  }

  /**
   * Starts a server that speaks TLS only, presents {@code certificates}' server certificate and
   * requires a password, and returns once it answers PING after AUTH over TLS. The password is
   * random; {@link #password()} and {@link #passwordFile()} give it to clients.
   *
   * <p>The password reaches redis-server through a configuration file, not the command line, where
   * every user of the machine would see it in the process list. The same holds for clients: the
   * password file (owner-only, ending with a newline as a file written by an editor or {@code echo}
   * does) is what a client is meant to read.
   *
   * @throws IllegalStateException if {@value #BINARY} is missing or built without TLS, exits, or
   *     does not answer in time; the message ends with its log
   */
  public static RedisServerProcess startWithTls(Path workDir, ThrowawayCertificates certificates) {
    long startNanos = System.nanoTime();
    int port = LoopbackPorts.pickFree(1)[0];
    Path dir = workDir.toAbsolutePath();
    String password = Secrets.randomPassword();
    Path config = dir.resolve("redis.conf");
    Path passwordFile = dir.resolve("redis-password");
    Secrets.writeOwnerOnlyFile(config, "requirepass " + password + "\n");
    Secrets.writeOwnerOnlyFile(passwordFile, password + "\n");

    List<String> command =
        new ArrayList<>(
            List.of(
                BINARY,
                config.toString(),
                // no plain-text port: a client that does not speak TLS gets no answer at all
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                certificates.serverCertificate().toString(),
                "--tls-key-file",
                certificates.serverKey().toString(),
                "--tls-ca-cert-file",
                certificates.caCertificate().toString(),
                // clients authenticate with the password, not with certificates of their own
                "--tls-auth-clients",
                "no"));
    command.addAll(commonArguments(dir));
    SocketFactory tlsSockets = trustingOnly(certificates.caCertificate()).getSocketFactory();
    String authThenPing = resp("AUTH", password) + PING;
    Tls tls = new Tls(certificates.caCertificate(), passwordFile, password);
    RedisServerProcess redis =
        new RedisServerProcess(
            startChild(
                command, port, dir, () -> answers(tlsSockets, port, authThenPing, "+OK\r\n")),
            tls);
    redis.logReady(startNanos);
    return redis;
  }

  /**
   * The URI for Redis clients, e.g. {@code redis://127.0.0.1:40123}, or {@code
   * rediss://127.0.0.1:40123} for a server started {@linkplain #startWithTls with TLS}. It never
   * holds the password.
   */
  public String uri() {
    return (tls == null ? "redis://" : "rediss://") + LoopbackPorts.LOOPBACK + ":" + server.port();
  }

  /** The certificate of the CA that signed the server's certificate, PEM. */
  public Path caCertificateFile() {
    return tls().caCertificate();
  }

  /** A file holding the password and a newline, readable by its owner only. */
  public Path passwordFile() {
    return tls().passwordFile();
  }

  /** The password clients must give; tests use it to check that it appears nowhere else. */
  public String password() {
    return tls().password();
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

  /**
   * Stops the server as a Redis with persistence stops: it writes its keys to {@code dump.rdb} in
   * its work folder first ({@code SHUTDOWN SAVE}, which saves although this server takes no
   * snapshots otherwise), so that {@link #startAgain} serves them again. Returns once the process
   * has exited. For tests of clients through a Redis outage.
   *
   * @throws IllegalStateException if the server refuses to shut down, with its reason
   */
  public void shutdownSavingData() {
    if (tls != null) {
      throw new IllegalStateException("Only a plain-text Redis is shut down this way");
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LoopbackPorts.LOOPBACK, port()), PING_TIMEOUT_MS);
      socket.setSoTimeout((int) STARTUP_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(resp("SHUTDOWN", "SAVE").getBytes(StandardCharsets.UTF_8));
      out.flush();
      // A server that shuts down closes the connection without a reply; a refusal is an error.
      byte[] reply = socket.getInputStream().readAllBytes();
      if (reply.length > 0) {
        throw new IllegalStateException(
            "Redis at "
                + uri()
                + " refused to shut down: "
                + new String(reply, StandardCharsets.UTF_8).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot shut down Redis at " + uri(), e);
    }
    // Reaps the exited process (and stops it, should it still run).
    server.close();
    LOG.info("Redis at {} shut down with its data saved", uri());
  }

  /**
   * Starts a new server on this one's port, in its work folder, once this one has stopped: it loads
   * the keys {@link #shutdownSavingData} saved, and clients that kept reconnecting to the port find
   * it again, as they find a restarted Redis. Plain text only.
   *
   * @throws IllegalStateException as {@link #start} does
   */
  public RedisServerProcess startAgain() {
    if (tls != null) {
      throw new IllegalStateException("Only a plain-text Redis is started again this way");
    }
    long startNanos = System.nanoTime();
    int port = port();
    Path dir = server.logFile().getParent();
    List<String> command = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port)));
    command.addAll(commonArguments(dir));
    RedisServerProcess redis =
        new RedisServerProcess(
            startChild(command, port, dir, () -> answers(SocketFactory.getDefault(), port, PING)),
            null);
    redis.logReady(startNanos);
    return redis;
  }

  /** Stops the server (SIGTERM, then SIGKILL after a deadline). Safe to call more than once. */
  @Override
  public void close() {
    server.close();
  }

  private Tls tls() {
    if (tls == null) {
      throw new IllegalStateException(
          "This Redis runs without TLS and password; start one with startWithTls");
    }
    return tls;
  }

  private void logReady(long startNanos) {
    LOG.info(
        "Redis ready at {}{} in {} ms (pid {}, log {})",
        uri(),
        tls == null ? "" : " (TLS only, password required)",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        server.pid(),
        logFile());
  }

  private static ChildServer startChild(
      List<String> command, int port, Path dir, BooleanSupplier ready) {
    return ChildServer.start(
        command, "redis-server", port, dir, dir.resolve("redis.log"), STARTUP_TIMEOUT, ready);
  }

  /** Loopback only, nothing kept on disk, in the foreground. */
  private static List<String> commonArguments(Path dir) {
    return List.of(
        "--bind",
        LoopbackPorts.LOOPBACK,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir.toString(),
        "--daemonize",
        "no");
  }

  /**
   * Whether the server answers {@code request} (commands in Redis's wire protocol, RESP, ending
   * with a PING) with {@code repliesBeforePong} and then {@code +PONG}.
   */
  private static boolean answers(
      SocketFactory sockets, int port, String request, String... repliesBeforePong) {
    String expected = String.join("", repliesBeforePong) + "+PONG\r\n";
    try (Socket socket = sockets.createSocket()) {
      socket.connect(new InetSocketAddress(LoopbackPorts.LOOPBACK, port), PING_TIMEOUT_MS);
      socket.setSoTimeout(PING_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(expected.length());
      return new String(reply, StandardCharsets.US_ASCII).equals(expected);
    } catch (IOException notYet) {
      return false;
    }
  }

  /** A command in RESP: an array of bulk strings. */
  private static String resp(String... words) {
    StringBuilder command = new StringBuilder("*").append(words.length).append("\r\n");
    for (String word : words) {
      command
          .append('$')
          .append(word.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(word)
          .append("\r\n");
    }
    return command.toString();
  }

  /** TLS that trusts the certificates signed by one CA and nothing else. */
  private static SSLContext trustingOnly(Path caCertificate) {
    try (InputStream in = Files.newInputStream(caCertificate)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + caCertificate, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot trust the CA certificate " + caCertificate, e);
    }
  }

  private record Tls(Path caCertificate, Path passwordFile, String password) {}
}
