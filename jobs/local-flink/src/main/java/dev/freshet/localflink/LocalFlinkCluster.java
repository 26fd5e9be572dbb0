package dev.freshet.localflink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.localstack.LoopbackPorts;
import dev.freshet.localstack.ResolvedClasspath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink session cluster on this machine: a JobManager and a TaskManager, each a JVM of its
 * own started from the Flink jars Maven resolved, configured by the {@code conf/config.yaml} of the
 * cluster's directory, with the web UI and REST API on localhost.
 *
 * <p>The processes outlive the JVM that started them, as a cluster started from a shell would: the
 * directory records them ({@code cluster.properties}) so that a later command finds the cluster and
 * stops it. The directory also holds the logs, checkpoints, savepoints and uploaded jars.
 */
public final class LocalFlinkCluster {

  private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);

  private static final String RECORD = "cluster.properties";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final String TASK_MANAGER = "taskmanager";
  private static final String TASK_MANAGER_MAIN =
      "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  /** The record's key listing the TaskManagers' roles. */
  private static final String TASK_MANAGERS = "taskmanagers";

  /** What Flink's own config.yaml puts in env.java.opts.all for Java 17; submission needs them. */
  private static final List<String> JAVA_17_OPENS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final URI restUri;
  private final RecordedProcess jobManager;
  private final List<RecordedProcess> taskManagers;

  private LocalFlinkCluster(
      Path directory, URI restUri, RecordedProcess jobManager, List<RecordedProcess> taskManagers) {
    this.directory = directory;
    this.restUri = restUri;
    this.jobManager = jobManager;
    this.taskManagers = new ArrayList<>(taskManagers);
  }

  /**
   * How the cluster is set up.
   *
   * @param restPort the web UI and REST port; 0 picks a free one
   * @param stateBackend {@code hashmap} (state on the TaskManager's heap) or {@code rocksdb}
   * @param metricsPorts the Prometheus reporter's port range, one port per process
   * @param configuration further lines of {@code config.yaml}, e.g. heartbeat or restart settings;
   *     they override the ones this class writes
   */
  public record Settings(
      int restPort,
      int taskSlots,
      String stateBackend,
      Duration checkpointInterval,
      String metricsPorts,
      Map<String, String> configuration) {

    public Settings {
      configuration = Collections.unmodifiableMap(new LinkedHashMap<>(configuration));
    }

    public static Settings defaults() {
      return new Settings(8081, 4, "hashmap", Duration.ofSeconds(1), "9250-9260", Map.of());
    }

    public Settings withRestPort(int port) {
      return new Settings(
          port, taskSlots, stateBackend, checkpointInterval, metricsPorts, configuration);
    }

    public Settings withMetricsPorts(String ports) {
      return new Settings(
          restPort, taskSlots, stateBackend, checkpointInterval, ports, configuration);
    }

    public Settings withTaskSlots(int slots) {
      return new Settings(
          restPort, slots, stateBackend, checkpointInterval, metricsPorts, configuration);
    }

    /**
     * These settings tuned for failover tests: a lost TaskManager is noticed by its failed
     * heartbeat RPCs within about a second, not after the 50 s default timeout, and the job
     * restarts at once instead of backing off exponentially; the REST API's job details are at most
     * 100 ms old instead of 3 s.
     */
    public Settings withFastFailover() {
      return with("heartbeat.interval", "1 s")
          .with("heartbeat.timeout", "5 s")
          .with("restart-strategy.type", "fixed-delay")
          .with("restart-strategy.fixed-delay.attempts", "10")
          .with("restart-strategy.fixed-delay.delay", "0 s")
          .with("web.refresh-interval", "100 ms");
    }

    /** These settings with one more line of {@code config.yaml}. */
    public Settings with(String key, String value) {
      Map<String, String> more = new LinkedHashMap<>(configuration);
      more.put(key, value);
      return new Settings(
          restPort, taskSlots, stateBackend, checkpointInterval, metricsPorts, more);
    }
  }

  /**
   * Starts a JobManager and a TaskManager and returns once the TaskManager has registered.
   *
   * @throws IllegalStateException if a cluster of this directory is running, or a process exits or
   *     is not ready in time (the message ends with its log)
   */
  public static LocalFlinkCluster start(Path directory, Settings settings) throws IOException {
    Path dir = directory.toAbsolutePath();
    Optional<LocalFlinkCluster> running = running(dir);
    if (running.isPresent()) {
      throw new IllegalStateException(
          "A Flink cluster of " + dir + " is already running at " + running.get().restUri());
    }
    long startNanos = System.nanoTime();
    String classpath =
        ResolvedClasspath.load(
            LocalFlinkCluster.class, "flink-cluster.classpath", "jobs/local-flink");
    int[] ports = LoopbackPorts.pickFree(3);
    int restPort = settings.restPort() == 0 ? ports[0] : settings.restPort();
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Path logs = Files.createDirectories(dir.resolve("log"));
    for (String sub : List.of("checkpoints", "savepoints", "uploads", "tmp")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Files.writeString(
        conf.resolve("config.yaml"), configuration(dir, settings, restPort, ports[1], ports[2]));
    try (InputStream log4j =
        LocalFlinkCluster.class.getResourceAsStream("flink-log4j2.properties")) {
      Files.copy(log4j, conf.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
    }

    URI restUri = URI.create("http://localhost:" + restPort);
    List<String> jobManagerResources =
        resourceParameters(classpath, conf, "GET_JM_RESOURCE_PARAMS");
    List<String> taskManagerResources =
        resourceParameters(classpath, conf, "GET_TM_RESOURCE_PARAMS");
    RecordedProcess jobManager =
        launch(
            "jobmanager",
            classpath,
            dir,
            jobManagerResources,
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    RecordedProcess taskManager;
    try {
      taskManager = launch(TASK_MANAGER, classpath, dir, taskManagerResources, TASK_MANAGER_MAIN);
    } catch (IOException | RuntimeException e) {
      jobManager.terminate(STOP_TIMEOUT);
      throw e;
    }
    LocalFlinkCluster cluster =
        new LocalFlinkCluster(dir, restUri, jobManager, List.of(taskManager));
    cluster.writeRecord();
    try {
      cluster.awaitTaskManagers(startNanos + STARTUP_TIMEOUT.toNanos(), logs);
    } catch (RuntimeException e) {
      cluster.stop();
      throw e;
    }
    LOG.info(
        "Flink session cluster ready at {} in {} ms (JobManager pid {}, TaskManager pid {})",
        restUri,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        jobManager.pid(),
        taskManager.pid());
    return cluster;
  }

  /**
   * Starts one more TaskManager, as a machine joining the cluster would, and returns its pid once
   * it has registered with the JobManager: spare slots for a job to fail over to.
   */
  public synchronized long startTaskManager() throws IOException {
    long startNanos = System.nanoTime();
    String classpath =
        ResolvedClasspath.load(
            LocalFlinkCluster.class, "flink-cluster.classpath", "jobs/local-flink");
    Path conf = directory.resolve("conf");
    String role = TASK_MANAGER + "-" + (taskManagers.size() + 1);
    RecordedProcess taskManager =
        launch(
            role,
            classpath,
            directory,
            resourceParameters(classpath, conf, "GET_TM_RESOURCE_PARAMS"),
            TASK_MANAGER_MAIN);
    taskManagers.add(taskManager);
    writeRecord();
    awaitTaskManagers(startNanos + STARTUP_TIMEOUT.toNanos(), logDirectory());
    return taskManager.pid();
  }

  /** The cluster this directory records, if both of its processes are still alive. */
  public static Optional<LocalFlinkCluster> running(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath();
    Path record = dir.resolve(RECORD);
    if (!Files.isRegularFile(record)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(record)) {
      properties.load(in);
    }
    RecordedProcess jobManager = RecordedProcess.read(properties, "jobmanager");
    List<RecordedProcess> taskManagers = new ArrayList<>();
    for (String role : properties.getProperty(TASK_MANAGERS, TASK_MANAGER).split(",")) {
      taskManagers.add(RecordedProcess.read(properties, role));
    }
    if (!jobManager.alive() && taskManagers.stream().noneMatch(RecordedProcess::alive)) {
      return Optional.empty();
    }
    return Optional.of(
        new LocalFlinkCluster(
            dir, URI.create(properties.getProperty("rest.url")), jobManager, taskManagers));
  }

  public URI restUri() {
    return restUri;
  }

  public Path directory() {
    return directory;
  }

  public Path savepointDirectory() {
    return directory.resolve("savepoints");
  }

  public Path logDirectory() {
    return directory.resolve("log");
  }

  public long jobManagerPid() {
    return jobManager.pid();
  }

  /** The pid of the TaskManager the cluster started with. */
  public long taskManagerPid() {
    return taskManagers.get(0).pid();
  }

  /** The pids of every TaskManager started, in order, the first one's first, dead ones too. */
  public synchronized List<Long> taskManagerPids() {
    return taskManagers.stream().map(RecordedProcess::pid).toList();
  }

  /**
   * Stops the cluster: asks the JobManager to shut the cluster down (REST {@code DELETE /cluster}),
   * stops the TaskManager with SIGTERM, and kills what is still running after a deadline. Running
   * jobs are cancelled; stop them with a savepoint first to keep their state.
   */
  public void stop() throws IOException {
    try {
      HTTP.send(
          HttpRequest.newBuilder(restUri.resolve("/cluster"))
              .timeout(Duration.ofSeconds(5))
              .DELETE()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException unreachable) {
      LOG.info(
          "JobManager at {} did not answer the shutdown request; stopping it directly", restUri);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (RecordedProcess taskManager : taskManagers) {
      taskManager.terminate(STOP_TIMEOUT);
    }
    jobManager.terminate(STOP_TIMEOUT);
    Files.deleteIfExists(directory.resolve(RECORD));
  }

  private void writeRecord() throws IOException {
    Properties properties = new Properties();
    properties.setProperty("rest.url", restUri.toString());
    jobManager.write(properties, "jobmanager");
    for (RecordedProcess taskManager : taskManagers) {
      taskManager.write(properties, taskManager.role());
    }
    properties.setProperty(
        TASK_MANAGERS, String.join(",", taskManagers.stream().map(RecordedProcess::role).toList()));
    try (OutputStream out = Files.newOutputStream(directory.resolve(RECORD))) {
      properties.store(out, "the local Flink session cluster of this directory");
    }
  }

  /**
   * Waits until as many TaskManagers offer slots as are alive, the newest included. A TaskManager
   * is listed as soon as it registers, but its slots count only once its slot report arrives, a
   * moment later: a job submitted in between would find too few slots.
   */
  private void awaitTaskManagers(long deadlineNanos, Path logs) {
    RecordedProcess newest = taskManagers.get(taskManagers.size() - 1);
    while (true) {
      for (RecordedProcess process : List.of(jobManager, newest)) {
        if (!process.alive()) {
          throw new IllegalStateException(
              "The " + process.role() + " exited during start-up" + logTail(logs, process.role()));
        }
      }
      if (taskManagersOfferingSlots()
          >= taskManagers.stream().filter(RecordedProcess::alive).count()) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException(
            "The "
                + newest.role()
                + " did not register within "
                + STARTUP_TIMEOUT
                + logTail(logs, "jobmanager")
                + logTail(logs, newest.role()));
      }
      sleep(Duration.ofMillis(250));
    }
  }

  private int taskManagersOfferingSlots() {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(restUri.resolve("/taskmanagers"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return 0;
      }
      int offering = 0;
      for (JsonNode taskManager : JSON.readTree(response.body()).path("taskmanagers")) {
        if (taskManager.path("slotsNumber").asInt(0) > 0) {
          offering++;
        }
      }
      return offering;
    } catch (IOException notYet) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Flink cluster", e);
    }
  }

  static String configuration(
      Path dir, Settings settings, int restPort, int rpcPort, int blobPort) {
    List<String> lines = new ArrayList<>();
    lines.add("# Written by LocalFlinkCluster; Flink reads it from --configDir.");
    lines.add("jobmanager.rpc.address: localhost");
    lines.add("jobmanager.rpc.port: " + rpcPort);
    lines.add("jobmanager.bind-host: localhost");
    lines.add("jobmanager.memory.process.size: 1024m");
    lines.add("taskmanager.host: localhost");
    lines.add("taskmanager.bind-host: localhost");
    lines.add("taskmanager.numberOfTaskSlots: " + settings.taskSlots());
    lines.add("taskmanager.memory.process.size: 1728m");
    lines.add("rest.address: localhost");
    lines.add("rest.bind-address: localhost");
    lines.add("rest.port: " + restPort);
    lines.add("blob.server.port: " + blobPort);
    lines.add("state.backend.type: " + settings.stateBackend());
    if ("hashmap".equals(settings.stateBackend())) {
      // Managed memory serves RocksDB (and batch jobs); heap state lives on the JVM heap, which
      // would otherwise get under 400 MB of the TaskManager's 1728 MB and spend its time in GC.
      lines.add("taskmanager.memory.managed.fraction: 0");
    }
    lines.add(
        "execution.checkpointing.interval: " + settings.checkpointInterval().toMillis() + "ms");
    lines.add("execution.checkpointing.dir: " + dir.resolve("checkpoints").toUri());
    lines.add("execution.checkpointing.savepoint-dir: " + dir.resolve("savepoints").toUri());
    // Uploaded jars stay across restarts of the JobManager (the default lies under io.tmp.dirs).
    lines.add("web.upload.dir: " + dir.resolve("uploads"));
    lines.add("io.tmp.dirs: " + dir.resolve("tmp"));
    lines.add(
        "metrics.reporter.prom.factory.class:"
            + " org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    lines.add("metrics.reporter.prom.port: " + settings.metricsPorts());
    // Hadoop's shutdown hook (Delta's file system) reads its configuration through a job's class
    // loader after the job ended; harmless, so the leak check need not fail the job for it.
    lines.add("classloader.check-leaked-classloader: false");
    settings
        .configuration()
        .forEach(
            (key, value) -> {
              lines.removeIf(line -> line.startsWith(key + ":"));
              lines.add(key + ": " + value);
            });
    return String.join("\n", lines) + "\n";
  }

  /**
   * The JVM options and dynamic properties Flink's own scripts compute from the memory settings
   * with BashJavaUtils; the TaskManager refuses to start without them.
   */
  private static List<String> resourceParameters(String classpath, Path conf, String command)
      throws IOException {
    Process process =
        new ProcessBuilder(
                List.of(
                    javaBinary(),
                    "-cp",
                    classpath,
                    BASH_JAVA_UTILS,
                    command,
                    "--configDir",
                    conf.toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running BashJavaUtils", e);
    }
    List<String> results = output.lines().filter(line -> line.startsWith(RESULT_PREFIX)).toList();
    if (results.size() < 2) {
      throw new IllegalStateException(
          "BashJavaUtils " + command + " printed no JVM options and properties:\n" + output);
    }
    List<String> parameters = new ArrayList<>();
    for (String line : results.subList(results.size() - 2, results.size())) {
      Arrays.stream(line.substring(RESULT_PREFIX.length()).trim().split("\\s+"))
          .filter(word -> !word.isEmpty())
          .forEach(parameters::add);
    }
    return parameters;
  }

  /**
   * Starts one Flink process in a session of its own (setsid), so that a Ctrl-C in the terminal
   * that started it does not reach it.
   *
   * @param resourceParameters JVM options first, then {@code -D key=value} pairs; the latter go
   *     after the main class
   */
  private static RecordedProcess launch(
      String role, String classpath, Path dir, List<String> resourceParameters, String mainClass)
      throws IOException {
    int dynamicPropertiesStart = resourceParameters.indexOf("-D");
    List<String> jvmOptions =
        dynamicPropertiesStart < 0
            ? resourceParameters
            : resourceParameters.subList(0, dynamicPropertiesStart);
    List<String> dynamicProperties =
        dynamicPropertiesStart < 0
            ? List.of()
            : resourceParameters.subList(dynamicPropertiesStart, resourceParameters.size());
    Path logs = dir.resolve("log");
    List<String> command = new ArrayList<>();
    if (onPath("setsid")) {
      command.add("setsid");
    }
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.addAll(JAVA_17_OPENS);
    command.add("-Dlog.file=" + logs.resolve(role + ".log"));
    command.add("-Dlog4j.configurationFile=" + dir.resolve("conf").resolve("log4j2.properties"));
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(dir.resolve("conf").toString());
    command.addAll(dynamicProperties);
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(role + ".out").toFile()))
            .start();
    return new RecordedProcess(
        role, process.pid(), process.toHandle().info().startInstant().orElse(Instant.EPOCH));
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static boolean onPath(String binary) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, binary))) {
        return true;
      }
    }
    return false;
  }

  private static String logTail(Path logs, String role) {
    StringBuilder tail = new StringBuilder();
    for (String file : List.of(role + ".out", role + ".log")) {
      Path path = logs.resolve(file);
      try {
        if (Files.isRegularFile(path)) {
          List<String> lines = Files.readAllLines(path);
          tail.append("\n--- last lines of ").append(path).append(":\n");
          lines
              .subList(Math.max(0, lines.size() - 30), lines.size())
              .forEach(line -> tail.append(line).append('\n'));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + path, e);
      }
    }
    return tail.toString();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /**
   * A cluster process as the record file keeps it: its pid and start time, so that a pid the system
   * has since given to another process is not mistaken for it.
   */
  private record RecordedProcess(String role, long pid, Instant started) {

    static RecordedProcess read(Properties properties, String role) {
      return new RecordedProcess(
          role,
          Long.parseLong(properties.getProperty(role + ".pid")),
          Instant.parse(properties.getProperty(role + ".started")));
    }

    void write(Properties properties, String prefix) {
      properties.setProperty(prefix + ".pid", Long.toString(pid));
      properties.setProperty(prefix + ".started", started.toString());
    }

    Optional<ProcessHandle> handle() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().startInstant().map(started::equals).orElse(false));
    }

    boolean alive() {
      return handle().isPresent();
    }

    /** SIGTERM (Flink shuts down in its hook), then SIGKILL after the deadline. */
    void terminate(Duration timeout) {
      Optional<ProcessHandle> handle = handle();
      if (handle.isEmpty()) {
        return;
      }
      handle.get().destroy();
      try {
        handle.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        handle.get().destroyForcibly();
      } catch (ExecutionException | TimeoutException e) {
        handle.get().destroyForcibly();
      }
    }
  }
}
