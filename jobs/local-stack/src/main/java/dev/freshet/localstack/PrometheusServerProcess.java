package dev.freshet.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus server ({@code prometheus} from the machine's packages) as a child process on a
 * free loopback port, scraping the given targets and evaluating the given rule files: what tests
 * check dashboards and alert rules against. Its time series live under the work directory.
 */
public final class PrometheusServerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrometheusServerProcess.class);

  public static final String BINARY = "prometheus";

  /** The scrape job's name, i.e. the {@code job} label of every scraped series. */
  public static final String SCRAPE_JOB = "flink";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final int PROBE_TIMEOUT_MS = 1_000;

  private final ChildServer server;

  private PrometheusServerProcess(ChildServer server) {
    this.server = server;
  }

  /** Whether {@value #BINARY} is on the PATH. */
  public static boolean binaryAvailable() {
    return ChildServer.onPath(BINARY);
  }

  /**
   * Starts a server that scrapes {@code targets} (host:port, path {@code /metrics}) and evaluates
   * {@code ruleFiles}, both every {@code interval}, and returns once it reports ready.
   *
   * @throws IllegalStateException if {@value #BINARY} is missing, rejects its configuration (a rule
   *     file that does not parse, say), or is not ready in time; the message ends with its log
   */
  public static PrometheusServerProcess start(
      Path workDir, List<String> targets, List<Path> ruleFiles, Duration interval) {
    long startNanos = System.nanoTime();
    int port = LoopbackPorts.pickFree(1)[0];
    Path dir = workDir.toAbsolutePath();
    Path config = dir.resolve("prometheus.yml");
    Path log = dir.resolve("prometheus.log");
    try {
      Files.createDirectories(dir);
      Files.writeString(config, configuration(targets, ruleFiles, interval));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + config, e);
    }
    ChildServer server =
        ChildServer.start(
            List.of(
                BINARY,
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=" + LoopbackPorts.LOOPBACK + ":" + port),
            "prometheus",
            port,
            dir,
            log,
            STARTUP_TIMEOUT,
            () -> ready(port));
    PrometheusServerProcess prometheus = new PrometheusServerProcess(server);
    LOG.info(
        "Prometheus ready at {} in {} ms (pid {}, log {})",
        prometheus.uri(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        server.pid(),
        log);
    return prometheus;
  }

  /** The base URI of its web UI and HTTP API, e.g. {@code http://127.0.0.1:40123}. */
  public URI uri() {
    return URI.create("http://" + LoopbackPorts.LOOPBACK + ":" + server.port());
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

  /** prometheus.yml; JSON strings are valid YAML scalars, so paths need no further quoting. */
  static String configuration(List<String> targets, List<Path> ruleFiles, Duration interval) {
    String every = interval.toMillis() + "ms";
    List<String> lines = new ArrayList<>();
    lines.add("global:");
    lines.add("  scrape_interval: " + every);
    lines.add("  evaluation_interval: " + every);
    lines.add("rule_files:" + (ruleFiles.isEmpty() ? " []" : ""));
    ruleFiles.forEach(file -> lines.add("  - " + quoted(file.toAbsolutePath().toString())));
    lines.add("scrape_configs:");
    lines.add("  - job_name: " + SCRAPE_JOB);
    lines.add("    static_configs:");
    lines.add(
        "      - targets: ["
            + String.join(", ", targets.stream().map(PrometheusServerProcess::quoted).toList())
            + "]");
    return String.join("\n", lines) + "\n";
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Prometheus answers 200 on {@code /-/ready} once it can serve queries. */
  private static boolean ready(int port) {
    try {
      HttpURLConnection connection =
          (HttpURLConnection)
              URI.create("http://" + LoopbackPorts.LOOPBACK + ":" + port + "/-/ready")
                  .toURL()
                  .openConnection();
      connection.setConnectTimeout(PROBE_TIMEOUT_MS);
      connection.setReadTimeout(PROBE_TIMEOUT_MS);
      try {
        return connection.getResponseCode() == 200;
      } finally {
        connection.disconnect();
      }
    } catch (IOException notYet) {
      return false;
    }
  }
}
