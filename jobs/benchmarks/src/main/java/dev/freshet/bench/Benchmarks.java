package dev.freshet.bench;

import dev.freshet.bench.recovery.DeadLetters;
import dev.freshet.bench.recovery.ReferenceComparison;
import dev.freshet.bench.report.BenchmarkReport;
import dev.freshet.bench.results.BenchmarkResults;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.bench.results.Ratio;
import dev.freshet.bench.results.Stats;
import dev.freshet.bench.results.Target;
import dev.freshet.bench.serving.ServingLatency;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.localstack.Directories;
import dev.freshet.localstack.KafkaBrokerProcess;
import dev.freshet.localstack.RedisServerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The benchmark harness: every scenario over the same seeded events in a real local broker, runs
 * interleaved (run 1 of each scenario, then run 2 of each, ...) so that a machine slowing down
 * hurts all scenarios alike, then ratios, figures, targets and plots under {@code bench/results}.
 */
@Command(
    name = "benchmarks",
    mixinStandardHelpOptions = true,
    description =
        "Measures the feature job beside a Kafka ceiling and a Flink SQL baseline on the same"
            + " seeded events; writes bench/results/<date>.json, .md and PNG plots.")
public final class Benchmarks implements Callable<Integer> {

  /**
   * What to run: {@code quick} is the full set, {@code smoke} a seconds-long check of the harness.
   */
  enum Profile {
    quick,
    smoke
  }

  @Option(names = "--profile", defaultValue = "quick", description = "quick or smoke.")
  Profile profile;

  @Option(
      names = "--events",
      description = "Records in the corpus (both streams); default 70000, 4000 for smoke.")
  Long events;

  @Option(names = "--runs", description = "Runs of each scenario; default 3, 1 for smoke.")
  Integer runs;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--parallelism", defaultValue = "1", description = "Of every Flink job.")
  int parallelism;

  @Option(
      names = "--scenarios",
      split = ",",
      description = "Only these scenarios (names as in the results); default all of the profile.")
  List<String> onlyScenarios;

  @Option(
      names = "--serving-rounds",
      description =
          "Rounds of the serving latency scenario (GetOnlineFeatures against raw HGETALL, needs"
              + " redis-server); default 3, 0 for smoke; 0 leaves it out.")
  Integer servingRounds;

  @Option(
      names = "--cpu-profile",
      negatable = true,
      description =
          "After the measured runs, one more run of each Flink scenario under Java Flight"
              + " Recorder, summed into where the CPU went (about 4 minutes more); default off.")
  Boolean cpuProfile;

  @Option(
      names = "--live-rate",
      description =
          "Events/s of the live traffic of the freshness and recovery scenarios; default half of"
              + " what job-heap-delta-redis (else job-heap-delta) sustained in this run for"
              + " freshness, and the local run's 700 for recovery.")
  Double liveRate;

  @Option(
      names = "--kills",
      description =
          "TaskManager kills in the recovery scenario (a local session cluster); default 2, 1 for"
              + " smoke; 0 leaves it out.")
  Integer kills;

  @Option(
      names = "--recovery-job-option",
      description =
          "An option for the recovery scenario's job, e.g. --recovery-job-option=--idleness-ms=5000;"
              + " repeatable.")
  List<String> recoveryJobOptions = new ArrayList<>();

  @Option(
      names = "--soak-minutes",
      description =
          "Minutes of traffic in the memory scenario, which runs only when --scenarios names it"
              + " (about 3 minutes more than this); default 12, 1 for smoke.")
  Double soakMinutes;

  @Option(
      names = "--job-jar",
      defaultValue = "jobs/benchmarks/target/feature-job.jar",
      description = "The feature job jar the recovery and memory scenarios submit.")
  Path jobJar;

  @Option(names = "--contracts", defaultValue = "contracts")
  Path contractsDirectory;

  @Option(names = "--output", defaultValue = "bench/results")
  Path outputDirectory;

  @Spec CommandSpec spec;

  /** Events per second of {@code featurectl run}: the recovery scenario's traffic. */
  private static final double LOCAL_RUN_RATE = 700;

  /** Entities in the serving scenario's Redis, as in issue 5's measurements. */
  private static final int SERVING_ENTITIES = 10_000;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new Benchmarks()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long records = events != null ? events : profile == Profile.smoke ? 4_000 : 70_000;
    int runCount = runs != null ? runs : profile == Profile.smoke ? 1 : 3;
    List<Scenario> scenarios = scenarios();
    List<Contract> contracts = new ContractLoader().loadDirectory(contractsDirectory);
    Path work = Files.createTempDirectory("freshet-bench");
    List<String> notes = new ArrayList<>();

    out.printf(
        "freshet benchmarks, profile %s: %,d records, %d runs of %d scenarios%n",
        profile, records, runCount, scenarios.size());
    Map<Scenario, List<Progress>> progress = new LinkedHashMap<>();
    EventCorpus corpus;
    FreshnessScenario.Summary freshness;
    RecoveryScenario.Result recovery;
    MemoryScenario.Result memory;
    ServingLatency.Result serving;
    // A failed or interrupted run would otherwise leave its broker's log behind, hundreds of MB.
    try {
      try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(work.resolve("broker"));
          RedisServerProcess redis =
              RedisServerProcess.binaryAvailable()
                  ? RedisServerProcess.start(work.resolve("redis"))
                  : null) {
        long produceStart = System.nanoTime();
        corpus = EventCorpus.produce(broker.bootstrapServers(), records, seed, 0.002);
        out.printf(
            "corpus: %,d behaviour and %,d file records produced in %.1f s%n",
            corpus.behaviourRecords(),
            corpus.fileRecords(),
            (System.nanoTime() - produceStart) / 1e9);
        if (redis == null) {
          notes.add("redis-server is not on the PATH: scenarios with Redis were left out.");
          scenarios.removeIf(s -> s instanceof JobScenario job && job.redis());
        }
        BenchContext context =
            new BenchContext(
                broker.bootstrapServers(),
                corpus,
                contracts,
                redis == null ? null : redis.uri(),
                work,
                parallelism,
                MeasuredSpan.NONE);

        // The JIT and the first MiniCluster's class loading would otherwise count against the
        // scenarios of the first round; later rounds run on a warm JVM.
        out.println("warm-up (not counted): the first two scenarios once");
        for (Scenario scenario : scenarios.subList(0, Math.min(2, scenarios.size()))) {
          report(out, scenario, -1, scenario.run(context, -1));
        }
        for (int run = 0; run < runCount; run++) {
          for (Scenario scenario : scenarios) {
            Progress result = scenario.run(context, run);
            progress.computeIfAbsent(scenario, s -> new ArrayList<>()).add(result);
            report(out, scenario, run, result);
          }
        }
        boolean profiling = cpuProfile != null && cpuProfile;
        Double rate = selected(FreshnessScenario.NAME) ? liveRate(out, progress, notes) : null;
        freshness = measureFreshness(out, context, rate, runCount, profiling, notes);
        recovery = measureRecovery(out, context, notes);
        memory = measureMemory(out, context, notes);
        if (profiling) {
          profileCpu(out, scenarios, context, runCount, notes);
        }
      }
      serving = measureServing(out, work.resolve("serving"), notes);
    } finally {
      deleteQuietly(work, out);
    }

    BenchmarkResults results =
        results(
            startedAt, progress, freshness, recovery, memory, serving, notes, records, runCount,
            corpus);
    List<Path> written = BenchmarkReport.write(results, outputDirectory);
    out.println();
    out.print(BenchmarkReport.summary(results));
    written.forEach(path -> out.println("wrote " + path));
    return 0;
  }

  /** One more run of each Flink scenario under a CPU profiler; its summary goes to the notes. */
  private static void profileCpu(
      PrintWriter out, List<Scenario> scenarios, BenchContext context, int run, List<String> notes)
      throws Exception {
    out.println("CPU profiles (one more run of each Flink scenario, not counted)");
    for (Scenario scenario : scenarios) {
      if (scenario instanceof CeilingScenario) {
        continue;
      }
      CpuProfile.Summary cpu;
      try (CpuProfile profiler = new CpuProfile()) {
        scenario.run(context.withSpan(profiler), run);
        cpu = profiler.summary();
      }
      out.printf("  %-32s %,d samples%n", scenario.name(), cpu.samples());
      addCpuNotes(notes, scenario.name(), cpu);
    }
  }

  private static void addCpuNotes(List<String> notes, String scenario, CpuProfile.Summary cpu) {
    notes.add(
        "CPU of "
            + scenario
            + " ("
            + cpu.samples()
            + " samples over the measured span), on top of the stack: "
            + String.join(", ", cpu.hottestMethods()));
    notes.add(
        "CPU of "
            + scenario
            + " under Freshet's methods: "
            + String.join(", ", cpu.hottestOfOurs()));
  }

  /**
   * The rate of the freshness scenario: half of what our job sustained with Delta and Redis (with
   * Delta alone when that scenario did not run), or {@code --live-rate}; null when neither is
   * known.
   */
  private Double liveRate(
      PrintWriter out, Map<Scenario, List<Progress>> progress, List<String> notes) {
    if (liveRate != null) {
      out.printf("live scenarios at %,.0f events/s%n", liveRate);
      return liveRate;
    }
    Map<String, List<Progress>> byName = new LinkedHashMap<>();
    progress.forEach((scenario, runs) -> byName.put(scenario.name(), runs));
    String sustained =
        byName.containsKey("job-heap-delta-redis") ? "job-heap-delta-redis" : "job-heap-delta";
    if (!byName.containsKey(sustained)) {
      notes.add(
          "freshness was left out: it runs at half of job-heap-delta(-redis)'s throughput, which"
              + " was not measured (or give --live-rate).");
      return null;
    }
    double rate = 0.5 * medianRun(byName.get(sustained)).rate();
    out.printf("live scenarios at 50 %% of %s's throughput: %,.0f events/s%n", sustained, rate);
    return rate;
  }

  /** Freshness at the live rate, unless left out; null then. */
  private FreshnessScenario.Summary measureFreshness(
      PrintWriter out,
      BenchContext context,
      Double rate,
      int runCount,
      boolean profiling,
      List<String> notes)
      throws Exception {
    if (rate == null || !selected(FreshnessScenario.NAME)) {
      return null;
    }
    FreshnessScenario scenario =
        profile == Profile.smoke
            ? new FreshnessScenario(
                Duration.ofSeconds(4), Duration.ofSeconds(12), Duration.ofSeconds(5))
            : new FreshnessScenario(
                Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(5));
    List<FreshnessScenario.Run> runs = new ArrayList<>();
    for (int run = 0; run < runCount; run++) {
      runs.add(scenario.run(context, run, rate, out));
    }
    if (profiling) {
      CpuProfile.Summary cpu;
      try (CpuProfile profiler = new CpuProfile()) {
        scenario.run(context.withSpan(profiler), runCount, rate, out);
        cpu = profiler.summary();
      }
      addCpuNotes(notes, FreshnessScenario.NAME + " (one more run)", cpu);
    }
    notes.add(FreshnessScenario.NAME + ": " + scenario.description(rate) + ".");
    long behind = runs.stream().filter(r -> !r.caughtUp()).count();
    if (behind > 0) {
      notes.add(
          "freshness: in "
              + behind
              + " of "
              + runs.size()
              + " runs the job had not caught up with the live traffic after a minute; those runs"
              + " measure a backlog, not the steady state.");
    }
    notes.add(
        "freshness: latency is a row's time available minus the broker append time of the last"
            + " record its input needed (every input partition past its feature time plus the"
            + " watermark's lag): what the job adds. Freshness is time available minus feature"
            + " time (window end), which also holds the watermark's wait for late events (1 s"
            + " out-of-orderness, plus the 1 s rename timeout for file events that every contract"
            + " waits for).");
    if (context.redisUri() == null) {
      notes.add("redis-server is not on the PATH: freshness measured Delta alone.");
    }
    return FreshnessScenario.summarize(runs);
  }

  /** Recovery after TaskManager kills, unless left out; null then. */
  private RecoveryScenario.Result measureRecovery(
      PrintWriter out, BenchContext context, List<String> notes) throws Exception {
    int killCount = kills != null ? kills : profile == Profile.smoke ? 1 : 2;
    if (killCount == 0 || !selected(RecoveryScenario.NAME)) {
      return null;
    }
    if (!Files.isRegularFile(jobJar)) {
      notes.add("recovery was left out: no job jar at " + jobJar + " (build the project first).");
      return null;
    }
    RecoveryScenario scenario =
        new RecoveryScenario(
            killCount, Duration.ofSeconds(profile == Profile.smoke ? 3 : 5), recoveryJobOptions);
    // The local run's traffic (featurectl run: 500 listener actions and 200 file observations per
    // second): at a quarter of the freshness rate or more, the job on the session cluster did not
    // always catch up within a minute of a restore, with the broker, the harness, a JobManager and
    // two TaskManagers on the same two cores.
    double recoveryRate = liveRate != null ? liveRate : LOCAL_RUN_RATE;
    out.printf(
        "recovery: TaskManager kills on a local session cluster, %,.0f events/s%n", recoveryRate);
    RecoveryScenario.Result result =
        scenario.run(context, contractsDirectory, jobJar, recoveryRate, out);
    notes.add(RecoveryScenario.NAME + ": " + scenario.description(recoveryRate) + ".");
    if (!result.caughtUpBeforeKills()) {
      notes.add(
          "recovery: the job had not worked off its start-up backlog before the first kill; the"
              + " first kill's catch-up includes it.");
    }
    ReferenceComparison comparison = result.comparison();
    notes.add(
        comparison == null
            ? "recovery: each kill is one run of its figures. The job had not committed everything"
                + " it read two minutes after the traffic stopped, so its tables were not compared"
                + " with a reference. It dead-lettered "
                + result.lateEvents()
                + " events as late."
            : "recovery: each kill is one run of its figures. Afterwards the tables held "
                + comparison.rows()
                + " rows of feature times whose input was complete; against a reference run of"
                + " the same records without failures, "
                + comparison.missing()
                + " were missing and "
                + comparison.extra()
                + " extra or doubled (distinct counts above 384 are estimates and match within"
                + " 5 %). The killed job dead-lettered "
                + result.lateEvents()
                + " events as late, the reference "
                + result.referenceLateEvents()
                + ".");
    StringBuilder resumed = new StringBuilder("recovery: offsets the restored job read on from.");
    for (int kill = 0; kill < result.kills().size(); kill++) {
      resumed
          .append(" Kill ")
          .append(kill + 1)
          .append(": ")
          .append(result.kills().get(kill).committedAtKill())
          .append(", killed at ")
          .append(Instant.ofEpochMilli(result.kills().get(kill).killedAtMillis()))
          .append('.');
    }
    notes.add(resumed.toString());
    for (DeadLetters.Late late : result.lateByContract()) {
      notes.add(
          String.format(
              "recovery: %s dead-lettered %,d events as late, %,d ms behind the watermark at the"
                  + " median and %,d at most, event times %s to %s.",
              late.contract(),
              late.count(),
              late.medianBehindMillis(),
              late.mostBehindMillis(),
              Instant.ofEpochMilli(late.firstEventTime()),
              Instant.ofEpochMilli(late.lastEventTime())));
    }
    notes.add(
        "recovery: state bytes per (entity, contract) are the aggregation task's state in the last"
            + " checkpoint (a full heap snapshot, serialized; objects on the heap take more) over"
            + " the (entity, contract) pairs in the tables, "
            + result.entityContractPairs()
            + " of them.");
    return result;
  }

  /**
   * The memory scenario, when {@code --scenarios} names it: its soak alone takes longer than the
   * rest of the harness, so it runs on its own; null otherwise.
   */
  private MemoryScenario.Result measureMemory(
      PrintWriter out, BenchContext context, List<String> notes) throws Exception {
    if (onlyScenarios == null || !onlyScenarios.contains(MemoryScenario.NAME)) {
      return null;
    }
    if (!Files.isRegularFile(jobJar)) {
      notes.add("memory was left out: no job jar at " + jobJar + " (build the project first).");
      return null;
    }
    boolean smoke = profile == Profile.smoke;
    double minutes = soakMinutes != null ? soakMinutes : smoke ? 1 : 12;
    MemoryScenario scenario =
        new MemoryScenario(
            Duration.ofMillis(Math.round(minutes * 60_000)),
            smoke ? Duration.ofSeconds(10) : Duration.ofMinutes(1),
            smoke ? Duration.ofSeconds(5) : Duration.ofSeconds(20));
    double rate = liveRate != null ? liveRate : LOCAL_RUN_RATE;
    out.printf(
        "memory: a %.1f-minute soak on a local session cluster, %,.0f events/s%n", minutes, rate);
    MemoryScenario.Result result = scenario.run(context, jobJar, rate, out);
    notes.add(MemoryScenario.NAME + ": " + scenario.description(rate) + ".");
    notes.add(
        "memory: flat means a least-squares slope of the heap after full GCs, over the samples"
            + " after the warm-up, of at most 1 % of the TaskManager's maximum heap per 10 minutes."
            + " Keys are the stateKeys gauge: keys holding any of the aggregation's state,"
            + " entries that expired but were not removed yet included.");
    return result;
  }

  private boolean selected(String scenario) {
    return onlyScenarios == null || onlyScenarios.contains(scenario);
  }

  /** The serving scenario, unless left out; null then. */
  private ServingLatency.Result measureServing(
      PrintWriter out, Path workDirectory, List<String> notes) throws Exception {
    int rounds = servingRoundsOfProfile();
    if (rounds == 0 || (onlyScenarios != null && !onlyScenarios.contains("serving"))) {
      return null;
    }
    if (!RedisServerProcess.binaryAvailable()) {
      notes.add("redis-server is not on the PATH: the serving scenario was left out.");
      return null;
    }
    out.println("serving: GetOnlineFeatures through the feature server against raw HGETALL");
    return ServingLatency.measure(SERVING_ENTITIES, rounds, workDirectory, out);
  }

  /**
   * Removes the broker's, Redis' and the runs' files. What cannot be removed is said, not thrown:
   * the results are what matters.
   */
  private static void deleteQuietly(Path directory, PrintWriter out) {
    try {
      Directories.deleteRecursively(directory);
    } catch (IOException e) {
      out.println("could not delete " + directory + ": " + e);
    }
  }

  private int servingRoundsOfProfile() {
    return servingRounds != null ? servingRounds : profile == Profile.smoke ? 0 : 3;
  }

  private List<Scenario> scenarios() {
    List<Scenario> all = new ArrayList<>();
    all.add(new CeilingScenario());
    all.add(new JobScenario("job-heap-nosink", "hashmap", false, false, true, null));
    all.add(new JobScenario("job-heap-delta", "hashmap", true, false, true, null));
    all.add(new SqlScenario("sql-heap-user_listening", "hashmap"));
    if (profile == Profile.quick) {
      all.add(new JobScenario("job-heap-delta-redis", "hashmap", true, true, true, null));
      all.add(new JobScenario("job-rocksdb-delta", "rocksdb", true, false, true, null));
      all.add(new JobScenario("job-heap-delta-nottl", "hashmap", true, false, false, null));
    }
    all.add(
        new JobScenario(
            "job-heap-delta-user_listening", "hashmap", true, false, true, "user_listening"));
    if (onlyScenarios != null) {
      all.removeIf(s -> !onlyScenarios.contains(s.name()));
    }
    return all;
  }

  private static void report(PrintWriter out, Scenario scenario, int run, Progress progress) {
    out.printf(
        "  %-32s %s  %,9.0f events/s  %.2f cores  %5.1f s%n",
        scenario.name(),
        run < 0 ? "warm-up" : "run " + (run + 1) + " ",
        progress.rate(),
        progress.coresBusy(),
        progress.seconds());
    out.flush();
  }

  private BenchmarkResults results(
      Instant startedAt,
      Map<Scenario, List<Progress>> progress,
      FreshnessScenario.Summary freshness,
      RecoveryScenario.Result recovery,
      MemoryScenario.Result memory,
      ServingLatency.Result serving,
      List<String> notes,
      long records,
      int runCount,
      EventCorpus corpus) {
    Map<String, Figure> throughput = new LinkedHashMap<>();
    List<Figure> figures = new ArrayList<>();
    List<Plot.Series> throughputSeries = new ArrayList<>();
    for (Map.Entry<Scenario, List<Progress>> entry : progress.entrySet()) {
      String name = entry.getKey().name();
      List<Progress> runsOfScenario = entry.getValue();
      Figure rate =
          new Figure(
              name, "throughput", "events/s", runsOfScenario.stream().map(Progress::rate).toList());
      throughput.put(name, rate);
      figures.add(rate);
      figures.add(
          new Figure(
              name,
              "cores busy",
              "cores",
              runsOfScenario.stream().map(Progress::coresBusy).toList()));
      figures.add(
          new Figure(
              name,
              "throughput per core",
              "events/s",
              runsOfScenario.stream().map(p -> p.rate() / p.coresBusy()).toList()));
      figures.add(
          new Figure(
              name, "wall time", "s", runsOfScenario.stream().map(Progress::seconds).toList()));
      throughputSeries.add(medianRun(runsOfScenario).ratePerSecond(name));
    }

    List<Ratio> ratios = new ArrayList<>();
    addRatio(ratios, throughput, "our job ÷ ceiling", "job-heap-delta", "ceiling");
    addRatio(
        ratios,
        throughput,
        "our job ÷ Flink SQL (user_listening)",
        "job-heap-delta-user_listening",
        "sql-heap-user_listening");
    addRatio(ratios, throughput, "RocksDB ÷ heap", "job-rocksdb-delta", "job-heap-delta");
    addRatio(ratios, throughput, "TTL on ÷ off", "job-heap-delta", "job-heap-delta-nottl");
    addRatio(ratios, throughput, "Delta sink ÷ no sink", "job-heap-delta", "job-heap-nosink");
    addRatio(ratios, throughput, "Delta + Redis ÷ Delta", "job-heap-delta-redis", "job-heap-delta");
    Double onlineP99 = null;
    Double offlineP99 = null;
    List<Plot> plots = new ArrayList<>();
    if (freshness != null) {
      figures.addAll(freshness.figures());
      plots.addAll(freshness.plots());
      onlineP99 = freshness.median(FreshnessScenario.ONLINE_P99);
      offlineP99 = freshness.median(FreshnessScenario.OFFLINE_P99);
    }
    Double firstOutput = null;
    Double rowsLostOrDoubled = null;
    if (recovery != null) {
      figures.addAll(recovery.figures());
      plots.add(recovery.plot());
      firstOutput =
          Stats.median(recovery.kills().stream().map(RecoveryScenario.Kill::firstOutput).toList());
      ReferenceComparison comparison = recovery.comparison();
      rowsLostOrDoubled =
          comparison == null ? null : (double) (comparison.missing() + comparison.extra());
    }
    Double heapSlope = null;
    Double keysLeft = null;
    if (memory != null) {
      figures.addAll(memory.figures());
      plots.addAll(memory.plots());
      heapSlope = memory.heapSlopeShareOfMax();
      keysLeft = (double) memory.keysLeft();
    }
    Double servingP99 = null;
    if (serving != null) {
      figures.addAll(serving.figures());
      ratios.addAll(serving.serverOverRaw());
      servingP99 = serving.of(ServingLatency.Case.SERVER_1X20).p99().median();
      notes.add(
          "serving: each round of requests is one run; its p50, p99 and p99.9 are that round's."
              + " The server ÷ HGETALL ratios pair rounds.");
    }

    List<Target> targets = new ArrayList<>();
    targets.add(
        Target.atLeast(
            "our job ÷ ceiling",
            "throughput with the reference contracts, heap state, Delta sink on: at least 0.3 × the"
                + " ceiling",
            0.3,
            ratioMedian(ratios, "our job ÷ ceiling"),
            "×"));
    targets.add(
        Target.atLeast(
            "our job ÷ Flink SQL",
            "at least 2 × the Flink SQL baseline (same contract, heap state; ours with Delta)",
            2.0,
            ratioMedian(ratios, "our job ÷ Flink SQL (user_listening)"),
            "×"));
    targets.add(
        Target.atMost(
            "online freshness p99",
            "Kafka append → Redis ack at 50 % load: at most 50 ms",
            50,
            onlineP99,
            "ms"));
    targets.add(
        Target.atMost(
            "offline freshness p99",
            "Kafka append → Delta commit at 50 % load: at most the checkpoint interval + 0.5 s (1 s"
                + " checkpoints)",
            1500,
            offlineP99,
            "ms"));
    targets.add(
        Target.atMost(
            "recovery after a TaskManager kill",
            "output flowing again within 5 s (kill → first Delta commit)",
            5,
            firstOutput,
            "s"));
    targets.add(
        Target.atMost(
            "nothing lost after TaskManager kills",
            "rows missing, extra or doubled against a run without failures: none",
            0,
            rowsLostOrDoubled,
            "rows"));
    targets.add(
        Target.atMost(
            "TaskManager heap flat",
            "heap after full GCs over a 10-minute soak at constant key cardinality: a slope of at"
                + " most 1 % of the maximum heap per 10 minutes",
            1,
            heapSlope,
            "% per 10 min"));
    targets.add(
        Target.atMost(
            "no keys after their TTL",
            "keys holding state once every key's TTL has passed without traffic: none",
            0,
            keysLeft,
            "keys"));
    targets.add(
        Target.atMost(
            "GetOnlineFeatures p99", "1 entity × 20 features: at most 1 ms", 1, servingP99, "ms"));

    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    machine.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("max heap", Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    machine.put(
        "load average at the end",
        String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("profile", profile.name());
    settings.put("records", Long.toString(records));
    settings.put("behaviour records", Long.toString(corpus.behaviourRecords()));
    settings.put("file records", Long.toString(corpus.fileRecords()));
    settings.put("runs", Integer.toString(runCount));
    settings.put("seed", Long.toString(seed));
    settings.put("parallelism", Integer.toString(parallelism));
    settings.put("checkpoint interval", "1 s");
    settings.put(
        "serving rounds", Integer.toString(serving == null ? 0 : servingRoundsOfProfile()));
    settings.put(
        "scenarios", String.join(", ", progress.keySet().stream().map(Scenario::name).toList()));

    notes.add(
        "Throughput is the slope of records read between 20 % and 90 % of the corpus: start-up,"
            + " warm-up and the end-of-input flush are left out. Cores busy is this JVM's CPU time"
            + " over the same span (MiniCluster, broker excluded).");
    for (Scenario scenario : progress.keySet()) {
      notes.add(scenario.name() + ": " + scenario.description() + ".");
    }

    if (!throughputSeries.isEmpty()) {
      plots.add(
          0,
          new Plot(
              "throughput",
              "Records processed per second, by the sink writers' watermark (median run of each scenario)",
              "seconds since the run started",
              "events/s",
              false,
              throughputSeries));
    }
    return new BenchmarkResults(
        startedAt.toString(),
        GitCommit.current(),
        machine,
        settings,
        ratios,
        figures,
        targets,
        plots,
        notes);
  }

  private static Progress medianRun(List<Progress> runsOfScenario) {
    List<Progress> sorted =
        runsOfScenario.stream().sorted((a, b) -> Double.compare(a.rate(), b.rate())).toList();
    return sorted.get(sorted.size() / 2);
  }

  private static void addRatio(
      List<Ratio> ratios,
      Map<String, Figure> throughput,
      String name,
      String numerator,
      String denominator) {
    if (throughput.containsKey(numerator) && throughput.containsKey(denominator)) {
      ratios.add(Ratio.of(name, throughput.get(numerator), throughput.get(denominator)));
    }
  }

  private static Double ratioMedian(List<Ratio> ratios, String name) {
    return ratios.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .map(Ratio::median)
        .orElse(null);
  }
}
