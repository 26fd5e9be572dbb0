package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.bench.freshness.LiveTraffic;
import dev.freshet.bench.freshness.ReadyTimes;
import dev.freshet.bench.recovery.ConsumerLag;
import dev.freshet.bench.recovery.DeadLetters;
import dev.freshet.bench.recovery.DeltaTables;
import dev.freshet.bench.recovery.ReferenceComparison;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.events.DeadLetterReason;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import dev.freshet.localflink.FlinkRestClient;
import dev.freshet.localflink.LocalFlinkCluster;
import dev.freshet.localstack.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Recovery after a TaskManager dies: our job (every contract, heap state, Delta and, when there is
 * one, Redis) on a real local session cluster, fed live traffic. A standby TaskManager registers,
 * then the TaskManager running the job is killed with SIGKILL, as a lost machine would be, and the
 * harness watches the job from outside (Flink's REST API, the Delta logs, the consumer group's
 * committed offsets):
 *
 * <ul>
 *   <li>detection: the kill until the JobManager marks the job RESTARTING (heartbeats);
 *   <li>restore: until every task runs again on the standby, state restored from the last
 *       checkpoint;
 *   <li>output: the kill until the first Delta commit after the restore;
 *   <li>catch-up: from that commit until the uncommitted backlog is back to what it was before the
 *       kill.
 * </ul>
 *
 * <p>After the kills the traffic stops, the job finishes what it read, and its tables are compared
 * with a reference run of the same job over the same records without any failure: every row whose
 * input was complete must be there exactly once.
 *
 * @param kills TaskManagers killed one after the other, each once the job is steady again
 * @param steady how long the job runs undisturbed before each kill; the backlog it reaches then is
 *     what catch-up aims back at
 */
/**
 * @param jobOptions given to the job besides its topics and sinks, e.g. {@code --idleness-ms=5000},
 *     to compare a setting's effect on recovery
 */
record RecoveryScenario(int kills, Duration steady, List<String> jobOptions) {

  static final String NAME = "recovery";

  /** How long a restore, and the job's start, may take before the harness gives up on it. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(2);

  /** How long catch-up is watched after the first commit; longer counts as not caught up. */
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(45);

  private static final long POLL_MILLIS = 50;

  /** A backlog of up to this many seconds of traffic counts as caught up: three checkpoints. */
  private static final int CAUGHT_UP_SECONDS = 3;

  /**
   * What one kill cost, in seconds; catch-up and total are NaN when it never caught up.
   *
   * @param committedAtKill the consumer group's offsets when the TaskManager died, by {@code
   *     topic-partition}: those of the last checkpoint whose completion reached the source, where
   *     the restored job reads on from
   */
  record Kill(
      double detection,
      double restore,
      double firstOutput,
      double catchUp,
      double total,
      Plot.Series backlog,
      Map<String, Long> committedAtKill,
      long killedAtMillis) {}

  /** Every kill, and the comparison of the tables with the reference. */
  /**
   * @param caughtUpBeforeKills whether the job had worked off its start-up backlog before the first
   *     kill
   * @param aggregationStateBytes the aggregation task's state in the last checkpoint, serialized
   * @param entityContractPairs the (entity, contract) pairs in the killed job's tables: each had
   *     state in the aggregation, none has expired yet within a run's minutes
   * @param comparison the killed job's tables against the reference's; null when the job had not
   *     committed everything it read two minutes after the traffic stopped, and was not compared
   * @param lateEvents events the killed job dead-lettered as late
   * @param lateByContract those late events per contract: how far behind, which event times
   * @param referenceLateEvents events the reference run dead-lettered as late
   */
  record Result(
      List<Kill> kills,
      boolean caughtUpBeforeKills,
      long aggregationStateBytes,
      long entityContractPairs,
      ReferenceComparison comparison,
      long lateEvents,
      List<DeadLetters.Late> lateByContract,
      long referenceLateEvents,
      double rate) {

    List<Figure> figures() {
      List<Figure> figures = new ArrayList<>();
      figures.add(figure("detection (kill → RESTARTING)", "s", Kill::detection));
      figures.add(figure("restore (RESTARTING → every task running)", "s", Kill::restore));
      figures.add(figure("output again (kill → first Delta commit)", "s", Kill::firstOutput));
      figures.add(figure("catch-up (first commit → backlog as before)", "s", Kill::catchUp));
      figures.add(figure("total (kill → caught up)", "s", Kill::total));
      figures.add(new Figure(NAME, "input rate", "events/s", List.of(rate)));
      figures.add(
          new Figure(
              NAME, "aggregation state, serialized", "MB", List.of(aggregationStateBytes / 1e6)));
      figures.add(
          new Figure(
              NAME,
              "state bytes per (entity, contract), serialized",
              "bytes",
              List.of((double) aggregationStateBytes / Math.max(1, entityContractPairs))));
      figures.add(
          new Figure(NAME, "late events dead-lettered", "events", List.of((double) lateEvents)));
      if (comparison != null) {
        figures.add(
            new Figure(
                NAME,
                "rows compared with the reference",
                "rows",
                List.of((double) comparison.rows())));
        figures.add(
            new Figure(NAME, "rows missing", "rows", List.of((double) comparison.missing())));
        figures.add(
            new Figure(
                NAME, "rows extra or doubled", "rows", List.of((double) comparison.extra())));
        figures.add(
            new Figure(
                NAME,
                "late events dead-lettered by the reference",
                "events",
                List.of((double) referenceLateEvents)));
      }
      return figures;
    }

    Plot plot() {
      return new Plot(
          "recovery",
          "Records read but not yet committed by a checkpoint, after each TaskManager kill",
          "seconds since the kill",
          "records",
          false,
          kills.stream().map(Kill::backlog).toList());
    }

    private Figure figure(String metric, String unit, ToDoubleFunction<Kill> of) {
      return new Figure(NAME, metric, unit, kills.stream().map(of::applyAsDouble).toList());
    }
  }

  String description(double recordsPerSecond) {
    return String.format(
        "our job, every contract, heap state, Delta and Redis (when installed), on a local session"
            + " cluster (JobManager and TaskManagers in processes of their own), fed live at %,.0f"
            + " events/s; %d TaskManager kills (SIGKILL), each after %d s of steady running with a"
            + " standby TaskManager registered; heartbeat 1 s, timeout 5 s, fixed-delay restarts%s",
        recordsPerSecond,
        kills,
        steady.toSeconds(),
        jobOptions.isEmpty() ? "" : "; job options " + String.join(" ", jobOptions));
  }

  Result run(
      BenchContext context, Path contracts, Path jobJar, double recordsPerSecond, PrintWriter out)
      throws Exception {
    Path directory = context.runDirectory(NAME, 0);
    String lineage = BenchContext.lineage(NAME, 0);
    LiveTraffic traffic = LiveTraffic.createTopics(context.bootstrapServers(), lineage);
    String deadLetters = lineage + "-dead-letters";
    String referenceDeadLetters = lineage + "-reference-dead-letters";
    Topics.createIfMissing(
        context.bootstrapServers(),
        Map.of(deadLetters, 1, referenceDeadLetters, 1),
        Duration.ofSeconds(60));
    DeltaTables tables = new DeltaTables(directory.resolve("delta"));
    ReadyTimes ready = new ReadyTimes();
    List<Kill> done = new ArrayList<>();
    double rate;
    boolean caughtUpBeforeKills;
    long aggregationState;
    boolean committedEverything;
    LocalFlinkCluster cluster = LocalFlinkCluster.start(directory.resolve("cluster"), settings());
    try (ConsumerLag lag =
        new ConsumerLag(
            context.bootstrapServers(),
            lineage,
            List.of(traffic.behaviourTopic(), traffic.fileTopic()))) {
      FlinkRestClient flink = new FlinkRestClient(cluster.restUri());
      String jobId =
          SessionJob.start(
              flink,
              jobJar,
              withJobOptions(
                  SessionJob.arguments(
                      context,
                      contracts,
                      traffic,
                      lineage,
                      deadLetters,
                      directory.resolve("delta"),
                      NAME)),
              RECOVERY_TIMEOUT);
      LiveTraffic.Producing producing =
          traffic.start(context.bootstrapServers(), recordsPerSecond, 7, ready, 1_000, 2_000);
      try {
        caughtUpBeforeKills = awaitCaughtUp(lag, recordsPerSecond);
        long running = cluster.taskManagerPid();
        for (int kill = 0; kill < kills; kill++) {
          long backlogBefore = steadyBacklog(lag);
          long standby = cluster.startTaskManager();
          Kill measured = killAndWatch(flink, jobId, running, lag, backlogBefore, tables, kill);
          done.add(measured);
          out.printf(
              "  %-32s kill %d  detection %.1f s, restore %.1f s, output after %.1f s, caught up"
                  + " after %.1f s%n",
              NAME,
              kill + 1,
              measured.detection(),
              measured.restore(),
              measured.firstOutput(),
              measured.total());
          out.flush();
          running = standby;
        }
      } finally {
        rate = producing.stop();
      }
      committedEverything = awaitEverythingCommitted(lag);
      aggregationState = aggregationStateBytes(flink, jobId);
      flink.cancel(jobId);
    } finally {
      cluster.stop();
    }

    ReferenceComparison compared = null;
    if (committedEverything) {
      Path reference = directory.resolve("reference-delta");
      runReference(context, traffic, lineage, referenceDeadLetters, directory, reference);
      compared =
          ReferenceComparison.of(context.contracts(), tables, new DeltaTables(reference), ready);
    }
    String late = DeadLetterReason.LATE_EVENT.code();
    return new Result(
        done,
        caughtUpBeforeKills,
        aggregationState,
        entityContractPairs(context.contracts(), tables),
        compared,
        DeadLetters.byReason(context.bootstrapServers(), deadLetters).getOrDefault(late, 0L),
        DeadLetters.lateByContract(context.bootstrapServers(), deadLetters),
        compared == null
            ? 0
            : DeadLetters.byReason(context.bootstrapServers(), referenceDeadLetters)
                .getOrDefault(late, 0L),
        rate);
  }

  private static LocalFlinkCluster.Settings settings() {
    return LocalFlinkCluster.Settings.defaults().withRestPort(0).withFastFailover();
  }

  /**
   * Waits until the start-up backlog is gone: at most {@link #CAUGHT_UP_SECONDS} of traffic not yet
   * committed, for at most {@link #RECOVERY_TIMEOUT}.
   *
   * @return whether it was gone in time
   */
  private static boolean awaitCaughtUp(ConsumerLag lag, double recordsPerSecond) throws Exception {
    long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (lag.records() <= CAUGHT_UP_SECONDS * recordsPerSecond) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /**
   * Runs undisturbed for {@link #steady} (after the start-up backlog is gone, the first time) and
   * returns the largest backlog seen meanwhile: what a checkpoint interval leaves uncommitted.
   */
  private long steadyBacklog(ConsumerLag lag) throws Exception {
    long largest = 0;
    long end = System.nanoTime() + steady.toNanos();
    while (System.nanoTime() < end) {
      largest = Math.max(largest, lag.records());
      Thread.sleep(200);
    }
    return largest;
  }

  private static Kill killAndWatch(
      FlinkRestClient flink,
      String jobId,
      long taskManager,
      ConsumerLag lag,
      long backlogBefore,
      DeltaTables tables,
      int kill)
      throws Exception {
    Map<String, Long> committedAtKill = lag.committed();
    long killedAt = System.currentTimeMillis();
    ProcessHandle.of(taskManager)
        .orElseThrow(() -> new IllegalStateException("TaskManager " + taskManager + " is gone"))
        .destroyForcibly();
    long detected = -1;
    long running = -1;
    long output = -1;
    long caughtUp = -1;
    List<double[]> backlog = new ArrayList<>();
    long deadline = killedAt + RECOVERY_TIMEOUT.toMillis();
    while (caughtUp < 0
        && System.currentTimeMillis()
            < (output < 0 ? deadline : output + CATCH_UP_TIMEOUT.toMillis())) {
      JsonNode job = flink.get("/jobs/" + jobId);
      long now = System.currentTimeMillis();
      if (job.path("state").asText().equals("FAILED")) {
        throw new IllegalStateException("the job failed instead of restarting after the kill");
      }
      long restarting = job.path("timestamps").path("RESTARTING").asLong(0);
      if (detected < 0 && restarting >= killedAt) {
        detected = restarting;
      }
      if (detected >= 0 && running < 0 && SessionJob.tasksRunning(job)) {
        running = now;
      }
      if (running >= 0 && output < 0) {
        long latestCommit = tables.latestCommitMillis();
        if (latestCommit > running) {
          output = latestCommit;
        }
      }
      long records = lag.records();
      backlog.add(new double[] {(now - killedAt) / 1000.0, records});
      if (output >= 0 && records <= backlogBefore) {
        caughtUp = now;
      }
      Thread.sleep(POLL_MILLIS);
    }
    if (output < 0) {
      throw new IllegalStateException(
          "no Delta commit within " + RECOVERY_TIMEOUT + " of killing TaskManager " + taskManager);
    }
    return new Kill(
        (detected - killedAt) / 1000.0,
        (running - detected) / 1000.0,
        (output - killedAt) / 1000.0,
        caughtUp < 0 ? Double.NaN : (caughtUp - output) / 1000.0,
        caughtUp < 0 ? Double.NaN : (caughtUp - killedAt) / 1000.0,
        new Plot.Series(
            "kill " + (kill + 1),
            backlog.stream().mapToDouble(point -> point[0]).toArray(),
            backlog.stream().mapToDouble(point -> point[1]).toArray()),
        committedAtKill,
        killedAt);
  }

  /**
   * Waits until a checkpoint covers every record, then two more checkpoint intervals: the rows of
   * the last watermark are emitted after the records that carried it, so a later checkpoint commits
   * them.
   */
  private static boolean awaitEverythingCommitted(ConsumerLag lag) throws Exception {
    long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    while (lag.records() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(200);
    }
    Thread.sleep(3_000);
    return true;
  }

  /**
   * The state the aggregation task (with the operators chained to it) wrote in the job's latest
   * checkpoint: heap snapshots are full, so this is all its state, serialized.
   */
  private static long aggregationStateBytes(FlinkRestClient flink, String jobId) throws Exception {
    String aggregation = SessionJob.aggregationVertex(flink, jobId);
    long checkpoint =
        flink
            .get("/jobs/" + jobId + "/checkpoints")
            .path("latest")
            .path("completed")
            .path("id")
            .asLong(-1);
    if (checkpoint < 0) {
      throw new IllegalStateException("no completed checkpoint of the aggregation task");
    }
    return flink
        .get("/jobs/" + jobId + "/checkpoints/details/" + checkpoint)
        .path("tasks")
        .path(aggregation)
        .path("state_size")
        .asLong();
  }

  /** The distinct entities of every contract's table, summed. */
  private static long entityContractPairs(List<Contract> contracts, DeltaTables tables)
      throws IOException {
    long pairs = 0;
    for (Contract contract : contracts) {
      List<String> keys = contract.entity().keys().stream().map(EntityKey::field).toList();
      pairs += tables.distinctValues(contract.tableName(), keys);
    }
    return pairs;
  }

  private List<String> withJobOptions(List<String> arguments) {
    List<String> all = new ArrayList<>(arguments);
    all.addAll(jobOptions);
    return all;
  }

  /** The same job over the same records, bounded, on a MiniCluster, with no failure. */
  private static void runReference(
      BenchContext context,
      LiveTraffic traffic,
      String lineage,
      String deadLetters,
      Path directory,
      Path delta)
      throws Exception {
    FeatureJobConfig config =
        FeatureJobConfig.builder()
            .bootstrapServers(context.bootstrapServers())
            .behaviourTopic(traffic.behaviourTopic())
            .fileTopic(traffic.fileTopic())
            .deadLetterTopic(deadLetters)
            .consumerGroup(lineage + "-reference")
            .deltaAppId(lineage + "-reference")
            .deltaBasePath(delta.toString())
            .boundedInput(true)
            .build();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkRun.configuration(
                "hashmap", context.parallelism(), directory.resolve("reference")));
    FeatureJob.build(env, context.contracts(), config);
    env.execute(NAME + "-reference");
  }
}
