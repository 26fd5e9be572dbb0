package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractValidationException;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import dev.freshet.localstack.KafkaBrokerProcess;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.localstack.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the whole platform on this machine: a real Kafka broker process, the topics, a generator of
 * realistic traffic, and the feature job on an embedded Flink MiniCluster writing Delta tables;
 * when redis-server is installed, also Redis, the Feast registry and the feature server for online
 * contracts. Prints per contract the rows committed, the latest Delta version and offline
 * freshness, and one online lookup through Feast's client.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "run",
    description =
        "Run Kafka, the event generator, the feature job and, with redis-server, the online store"
            + " and the feature server locally until Ctrl-C.")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ContractsDirectoryOption contracts;

  @Option(
      names = "--data-dir",
      defaultValue = "freshet-data",
      description =
          "Where the broker's log, checkpoints and Delta tables go (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--events-per-second",
      defaultValue = "500",
      description = "Generated listener actions per second (default: ${DEFAULT-VALUE}).")
  int eventsPerSecond;

  @Option(
      names = "--file-observations-per-second",
      description =
          "File observations per second from the simulated fleet of watched hosts, 0 (none) to"
              + " 1000 (default: 40% of --events-per-second, at most 1000).")
  Integer fileObservationsPerSecond;

  @Option(
      names = "--malformed-share",
      defaultValue = "0.002",
      description = "Share of records broken on purpose (default: ${DEFAULT-VALUE}).")
  double malformedShare;

  @Option(
      names = "--checkpoint-interval-ms",
      defaultValue = "1000",
      description = "Checkpoint, and so Delta commit, interval (default: ${DEFAULT-VALUE}).")
  long checkpointIntervalMillis;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--report-every-s",
      defaultValue = "5",
      description = "Seconds between progress reports (default: ${DEFAULT-VALUE}).")
  int reportEverySeconds;

  @Option(
      names = "--duration-s",
      defaultValue = "0",
      description = "Stop after this many seconds; 0 runs until Ctrl-C.")
  int durationSeconds;

  @Option(
      names = "--dedup-window-ms",
      defaultValue = "200",
      description =
          "How far apart an inotify and a poll report of one file change may be"
              + " (default: ${DEFAULT-VALUE}).")
  long dedupWindowMillis;

  @Option(
      names = "--rename-timeout-ms",
      defaultValue = "1000",
      description =
          "How long a rename half waits for its partner, at least the dedup window"
              + " (default: ${DEFAULT-VALUE}).")
  long renameTimeoutMillis;

  @Option(
      names = "--online",
      defaultValue = "auto",
      description =
          "Serve online contracts from Redis through the feature server: auto (when redis-server is"
              + " installed or --redis-uri is given), on, off (default: ${DEFAULT-VALUE}).")
  OnlineMode online;

  @Option(
      names = "--redis-uri",
      description =
          "Use this Redis instead of starting a redis-server process, e.g. redis://host:6379.")
  String redisUri;

  @Option(
      names = "--serving-port",
      defaultValue = "6566",
      description =
          "Port of the feature server, Feast's gRPC ServingService (default: ${DEFAULT-VALUE}).")
  int servingPort;

  @Option(
      names = "--sample-lookup",
      defaultValue = "user_listening:user_id=user-0",
      description =
          "The online lookup shown in each report, VIEW:KEY=VALUE[,KEY=VALUE] (default:"
              + " ${DEFAULT-VALUE}).")
  String sampleLookup;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "Port of the Flink web UI (default: ${DEFAULT-VALUE}).")
  int webUiPort;

  @Option(
      names = "--metrics-port",
      defaultValue = "9249",
      description =
          "Port of the Prometheus metrics endpoint, http://localhost:PORT/metrics; 0 turns it off"
              + " (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    int filesPerSecond = fileObservationsPerSecond();
    checkNormalizerTimes();
    List<Contract> loaded;
    try {
      loaded = new ContractLoader().loadDirectory(contracts.directory);
    } catch (ContractValidationException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    boolean onlinePath = onlinePathWanted(out, loaded);
    LocalOnlinePath.SampleLookup sample = null;
    if (onlinePath) {
      List<String> problems = new ArrayList<>();
      sample = LocalOnlinePath.SampleLookup.parse(sampleLookup, loaded, problems);
      if (sample == null) {
        throw new ParameterException(spec.commandLine(), String.join("; ", problems));
      }
    }
    Path data = dataDir.toAbsolutePath();
    Files.createDirectories(data);
    out.printf(
        "freshet: %d contracts from %s, data under %s%n", loaded.size(), contracts.directory, data);
    out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch cleanedUp = new CountDownLatch(1);
    // On Ctrl-C the JVM only waits for shutdown hooks, so the hook waits for the cleanup below.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> awaitCleanup(stopped, cleanedUp), "freshet-shutdown"));
    try {
      try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(data.resolve("kafka"));
          LocalOnlinePath onlineStore =
              onlinePath
                  ? LocalOnlinePath.start(
                      loaded, data, redisUri, sample.project(loaded), servingPort)
                  : null) {
        String bootstrap = broker.bootstrapServers();
        if (onlineStore != null) {
          out.printf(
              "online: Redis at %s, Feast registry %s, feature server (Feast gRPC) at"
                  + " localhost:%d%n",
              onlineStore.redisUri(), onlineStore.registryFile(), onlineStore.servingPort());
        }
        FeatureJobConfig config =
            FeatureJobConfig.builder()
                .bootstrapServers(bootstrap)
                .deltaBasePath(data.resolve("delta").toString())
                .redisUri(onlineStore == null ? null : onlineStore.redisUri())
                // Each run starts without Flink state, so it is a new writer of the tables.
                .deltaAppId("freshet-local-" + Instant.now().toEpochMilli())
                .dedupWindow(Duration.ofMillis(dedupWindowMillis))
                .renameTimeout(Duration.ofMillis(renameTimeoutMillis))
                .build();
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(config.topic(EventStream.BEHAVIOUR), parallelism);
        topics.put(config.topic(EventStream.FILE), parallelism);
        topics.put(config.deadLetterTopic(), 1);
        Topics.createIfMissing(bootstrap, topics, Duration.ofSeconds(30));
        out.printf("kafka: broker at %s, topics %s%n", bootstrap, topics.keySet());

        EventGenerator generator =
            EventGenerator.builder()
                .seed(System.nanoTime())
                .fileObservationsPerSecond(filesPerSecond)
                .malformedShare(malformedShare)
                // Runs until stopped: the truth would grow with every change.
                .keepFileTruth(false)
                .build();
        try (TrafficGenerator traffic =
            new TrafficGenerator(
                bootstrap,
                generator,
                eventsPerSecond,
                config.topic(EventStream.BEHAVIOUR),
                config.topic(EventStream.FILE))) {
          traffic.start();
          out.printf(
              "traffic: %d listener actions and %d file observations per second%n",
              eventsPerSecond, filesPerSecond);

          StreamExecutionEnvironment env =
              StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConfiguration(data));
          env.setParallelism(parallelism);
          env.enableCheckpointing(checkpointIntervalMillis);
          FeatureJob.build(env, loaded, config);
          JobClient job = env.executeAsync("freshet features (local)");
          out.printf(
              "flink: job %s on an embedded MiniCluster, web UI at http://localhost:%d%n",
              job.getJobID(), webUiPort);
          if (metricsPort > 0) {
            out.printf(
                "metrics: http://localhost:%d/metrics for Prometheus (grafana/prometheus/"
                    + "prometheus.yml scrapes it; dashboard and alerts in grafana/)%n",
                metricsPort);
          }
          out.printf("delta: tables under %s%n%n", data.resolve("delta"));
          out.flush();

          report(out, loaded, data.resolve("delta"), traffic, job, stopped, onlineStore, sample);
          job.cancel().get(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      cleanedUp.countDown();
    }
    out.println("freshet: stopped");
    out.flush();
    return 0;
  }

  private int fileObservationsPerSecond() {
    if (fileObservationsPerSecond == null) {
      return (int) Math.max(0, Math.min(1000, Math.round(eventsPerSecond * 0.4)));
    }
    if (fileObservationsPerSecond < 0 || fileObservationsPerSecond > 1000) {
      throw new ParameterException(
          spec.commandLine(),
          "--file-observations-per-second must be in [0, 1000], got " + fileObservationsPerSecond);
    }
    return fileObservationsPerSecond;
  }

  /** Whether to run the online path; says why not when it is off by default. */
  private boolean onlinePathWanted(PrintWriter out, List<Contract> loaded) {
    if (online == OnlineMode.off) {
      return false;
    }
    if (loaded.stream().noneMatch(contract -> contract.online().enabled())) {
      out.println("online: off (no contract has online.enabled)");
      return false;
    }
    if (redisUri != null || RedisServerProcess.binaryAvailable()) {
      return true;
    }
    if (online == OnlineMode.on) {
      throw new ParameterException(
          spec.commandLine(),
          "--online on needs redis-server on the PATH (Debian: apt-get install redis-server) or"
              + " --redis-uri");
    }
    out.println(
        "online: off, because redis-server is not installed. To serve features to Feast clients,"
            + " install it (Debian: sudo apt-get install redis-server) or pass --redis-uri.");
    return false;
  }

  enum OnlineMode {
    auto,
    on,
    off
  }

  private void checkNormalizerTimes() {
    if (dedupWindowMillis < 0 || renameTimeoutMillis < dedupWindowMillis) {
      throw new ParameterException(
          spec.commandLine(),
          "need 0 <= --dedup-window-ms <= --rename-timeout-ms, got "
              + dedupWindowMillis
              + " and "
              + renameTimeoutMillis);
    }
  }

  private static void awaitCleanup(CountDownLatch stopped, CountDownLatch cleanedUp) {
    stopped.countDown();
    try {
      cleanedUp.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void report(
      PrintWriter out,
      List<Contract> loaded,
      Path deltaBase,
      TrafficGenerator traffic,
      JobClient job,
      CountDownLatch stopped,
      LocalOnlinePath onlineStore,
      LocalOnlinePath.SampleLookup sample)
      throws Exception {
    Map<String, OfflineFreshnessMonitor> monitors = new LinkedHashMap<>();
    loaded.forEach(
        c -> monitors.put(c.id(), new OfflineFreshnessMonitor(deltaBase.resolve(c.tableName()))));
    long started = System.nanoTime();
    while (!stopped.await(reportEverySeconds, TimeUnit.SECONDS)) {
      JobStatus status = job.getJobStatus().get();
      if (status.isGloballyTerminalState()) {
        out.println("flink: job ended with status " + status);
        return;
      }
      long elapsed = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      out.printf(
          "[%4ds] produced %d records (%d malformed)%n",
          elapsed, traffic.produced(), traffic.malformed());
      out.printf(
          "  %-22s %10s %8s %16s %16s%n",
          "contract", "rows", "version", "freshness p50", "freshness p99");
      for (Map.Entry<String, OfflineFreshnessMonitor> entry : monitors.entrySet()) {
        OfflineFreshnessMonitor monitor = entry.getValue();
        monitor.poll();
        out.printf(
            "  %-22s %10d %8s %16s %16s%n",
            entry.getKey(),
            monitor.rowsCommitted(),
            monitor.latestVersion() < 0 ? "-" : Long.toString(monitor.latestVersion()),
            millis(monitor.freshnessQuantileMillis(0.5)),
            millis(monitor.freshnessQuantileMillis(0.99)));
      }
      if (onlineStore != null) {
        out.println(onlineStore.sample(sample));
      }
      out.flush();
      if (durationSeconds > 0 && elapsed >= durationSeconds) {
        return;
      }
    }
  }

  private static String millis(long value) {
    return value < 0 ? "-" : value + " ms";
  }

  private Configuration flinkConfiguration(Path data) {
    Configuration conf = new Configuration();
    conf.set(RestOptions.PORT, webUiPort);
    // Hadoop's shutdown hook reads its configuration through the job's class loader after the
    // embedded cluster closed it; harmless at exit, so the leak check need not shout about it.
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, data.resolve("checkpoints").toUri().toString());
    if (metricsPort > 0) {
      MetricsEndpoint.enable(conf, metricsPort);
    }
    return conf;
  }
}
