package dev.freshet.bench;

import dev.freshet.bench.freshness.Availability;
import dev.freshet.bench.freshness.Latencies;
import dev.freshet.bench.freshness.LiveTraffic;
import dev.freshet.bench.freshness.ReadyTimes;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Freshness at a given load: our job with every contract, heap state, Delta and Redis, on a
 * MiniCluster, reading events produced live at a fixed rate, with event time the wall clock.
 *
 * <p>Each row's latency is the time it became available (Redis acknowledged it, or the Delta commit
 * holding it became durable) minus the time its input was complete at the broker ({@link
 * ReadyTimes}): what the job itself adds, from Kafka append to availability. Its freshness, the
 * time available minus its feature time (the end of its window), is reported beside it; that one
 * also holds the watermark's wait for late events, which is a setting, not a cost.
 *
 * <p>Only rows whose feature time falls in the measured span count: after a warm-up (job start-up,
 * JIT, then until the job has caught up with the traffic) and before a tail that keeps traffic
 * flowing so their input completes and they are written.
 *
 * @param warmUp traffic before the measured span, at least
 * @param measured the span of feature times measured
 * @param tail traffic after it
 */
record FreshnessScenario(Duration warmUp, Duration measured, Duration tail) {

  static final String NAME = "freshness";

  /** How far behind its watermark's lag the job may be and count as caught up. */
  private static final Duration CAUGHT_UP = Duration.ofSeconds(1);

  /** How long the warm-up may wait for the job to catch up before measuring regardless. */
  private static final Duration MAX_CATCH_UP = Duration.ofSeconds(60);

  String description(double recordsPerSecond) {
    return String.format(
        "our job, every contract, heap state, Delta and Redis, fed live at %,.0f events/s;"
            + " feature times over %d s after a warm-up of at least %d s that lasts until the job"
            + " has caught up with the traffic",
        recordsPerSecond, measured.toSeconds(), warmUp.toSeconds());
  }

  /** The latencies of one run. */
  record Run(
      double recordsPerSecond,
      boolean caughtUp,
      Latencies onlineLatency,
      Latencies onlineFreshness,
      Latencies offlineLatency,
      Latencies offlineFreshness) {}

  Run run(BenchContext context, int run, double recordsPerSecond, PrintWriter out)
      throws Exception {
    String lineage = BenchContext.lineage(NAME, run);
    Path directory = context.runDirectory(NAME, run);
    LiveTraffic traffic = LiveTraffic.createTopics(context.bootstrapServers(), lineage);
    FeatureJobConfig config =
        FeatureJobConfig.builder()
            .bootstrapServers(context.bootstrapServers())
            .behaviourTopic(traffic.behaviourTopic())
            .fileTopic(traffic.fileTopic())
            .deadLetterTopic(context.corpus().deadLetterTopic())
            .consumerGroup(lineage)
            .deltaAppId(lineage)
            .deltaBasePath(directory.resolve("delta").toString())
            .redisUri(context.redisUri())
            .deltaCommitListener(Availability.offlineListener(lineage))
            .onlineWriteListener(Availability.onlineListener(lineage))
            .build();
    InMemoryReporter reporter = InMemoryReporter.create();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            reporter.addToConfiguration(
                FlinkRun.configuration("hashmap", context.parallelism(), directory)));
    FeatureJob.build(env, context.contracts(), config);

    long behaviourLag = config.maxOutOfOrderness().toMillis();
    long fileLag = config.maxOutOfOrderness().plus(config.renameTimeout()).toMillis();
    Availability availability = Availability.start(lineage);
    ReadyTimes ready = new ReadyTimes();
    long from;
    long until;
    boolean caughtUp;
    double rate;
    try {
      JobClient client = env.executeAsync(NAME);
      CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
      awaitRunning(client, result);
      LiveTraffic.Producing producing =
          traffic.start(
              context.bootstrapServers(), recordsPerSecond, run, ready, behaviourLag, fileLag);
      Thread.sleep(warmUp.toMillis());
      caughtUp = awaitCaughtUp(new SinkWatermarks(reporter, client.getJobID()), fileLag);
      from = System.currentTimeMillis();
      until = from + measured.toMillis();
      context.span().started();
      Thread.sleep(measured.toMillis());
      context.span().ended();
      Thread.sleep(tail.toMillis());
      rate = producing.stop();
      if (result.isDone()) {
        result.join();
        throw new IllegalStateException(NAME + " job ended while traffic ran");
      }
      client.cancel().get(1, TimeUnit.MINUTES);
      result.handle((ignored, cancelled) -> null).get(1, TimeUnit.MINUTES);
    } finally {
      Availability.stop(lineage);
      reporter.close();
    }
    Run measuredRun =
        new Run(
            rate,
            caughtUp,
            latencies(availability.online(), ready, from, until, ready::readyAt),
            latencies(availability.online(), ready, from, until, featureTime -> featureTime),
            latencies(availability.offline(), ready, from, until, ready::readyAt),
            latencies(availability.offline(), ready, from, until, featureTime -> featureTime));
    out.printf(
        "  %-32s run %d   %,9.0f events/s  online p99 %,6.0f ms (%,d rows)  offline p99 %,6.0f ms"
            + " (%,d rows)%s%n",
        NAME,
        run + 1,
        measuredRun.recordsPerSecond(),
        p99OrNaN(measuredRun.onlineLatency()),
        measuredRun.onlineLatency().count(),
        p99OrNaN(measuredRun.offlineLatency()),
        measuredRun.offlineLatency().count(),
        caughtUp ? "" : "  (had not caught up after the warm-up)");
    out.flush();
    return measuredRun;
  }

  /**
   * Latency of each row whose feature time is in [from, until) and whose input completed: time
   * available minus {@code since} of its feature time.
   */
  private static Latencies latencies(
      List<long[]> rows, ReadyTimes ready, long from, long until, LongUnaryOperator since) {
    Latencies latencies = new Latencies();
    for (long[] row : rows) {
      long featureTime = row[0];
      if (featureTime < from || featureTime >= until || ready.readyAt(featureTime) < 0) {
        continue;
      }
      latencies.add(row[1] - since.applyAsLong(featureTime), row[2]);
    }
    return latencies;
  }

  /**
   * Waits until the job has written everything up to {@link #CAUGHT_UP} behind the watermark it
   * could have, at most {@link #MAX_CATCH_UP}: start-up (class loading, the first CEL compilations,
   * the tables' creation) leaves a backlog that has nothing to do with the steady state.
   *
   * @return whether it caught up
   */
  private static boolean awaitCaughtUp(SinkWatermarks watermarks, long watermarkLag)
      throws InterruptedException {
    long deadline = System.nanoTime() + MAX_CATCH_UP.toNanos();
    while (System.nanoTime() < deadline) {
      long behind = System.currentTimeMillis() - watermarkLag - watermarks.lowest();
      if (behind <= CAUGHT_UP.toMillis()) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static void awaitRunning(JobClient client, CompletableFuture<?> result) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (client.getJobStatus().get(10, TimeUnit.SECONDS) != JobStatus.RUNNING) {
      if (result.isDone()) {
        result.join();
        throw new IllegalStateException(NAME + " job ended before it ran");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(NAME + " job not running after a minute");
      }
      Thread.sleep(50);
    }
  }

  private static double p99OrNaN(Latencies latencies) {
    return latencies.count() == 0 ? Double.NaN : latencies.percentile(99);
  }

  /** Figures over all runs, and latency CDFs of all runs' rows together. */
  static Summary summarize(List<Run> runs) {
    List<Figure> figures = new ArrayList<>();
    figures.add(
        new Figure(
            NAME, "input rate", "events/s", runs.stream().map(Run::recordsPerSecond).toList()));
    addPercentiles(figures, runs, "online latency (append → Redis ack)", Run::onlineLatency);
    addPercentiles(figures, runs, "offline latency (append → Delta commit)", Run::offlineLatency);
    addPercentiles(
        figures, runs, "online freshness (feature time → Redis ack)", Run::onlineFreshness);
    addPercentiles(
        figures, runs, "offline freshness (feature time → Delta commit)", Run::offlineFreshness);
    List<Plot.Series> latency = new ArrayList<>();
    List<Plot.Series> freshness = new ArrayList<>();
    addPooled(latency, runs, "online: append → Redis ack", Run::onlineLatency);
    addPooled(latency, runs, "offline: append → Delta commit", Run::offlineLatency);
    addPooled(freshness, runs, "online: feature time → Redis ack", Run::onlineFreshness);
    addPooled(freshness, runs, "offline: feature time → Delta commit", Run::offlineFreshness);
    List<Plot> plots =
        List.of(
            new Plot(
                "latency-cdf",
                "What the job adds: input complete at the broker → row available (all runs)",
                "milliseconds (log scale)",
                "share of rows",
                true,
                latency),
            new Plot(
                "freshness-cdf",
                "Freshness: feature time (window end) → row available (all runs)",
                "milliseconds (log scale)",
                "share of rows",
                true,
                freshness));
    return new Summary(figures, plots);
  }

  /** What the freshness runs add to the results. */
  record Summary(List<Figure> figures, List<Plot> plots) {

    /** The median over runs of a figure's value, or null when it was not measured. */
    Double median(String metric) {
      return figures.stream()
          .filter(f -> f.metric().equals(metric))
          .findFirst()
          .map(Figure::median)
          .orElse(null);
    }
  }

  static final String ONLINE_P99 = "online latency (append → Redis ack) p99";
  static final String OFFLINE_P99 = "offline latency (append → Delta commit) p99";

  private static void addPercentiles(
      List<Figure> figures, List<Run> runs, String name, Function<Run, Latencies> of) {
    List<Run> measuredRuns = runs.stream().filter(r -> of.apply(r).count() > 0).toList();
    if (measuredRuns.isEmpty()) {
      return;
    }
    for (int percent : new int[] {50, 99}) {
      figures.add(
          new Figure(
              NAME,
              name + " p" + percent,
              "ms",
              measuredRuns.stream().map(r -> of.apply(r).percentile(percent)).toList()));
    }
  }

  private static void addPooled(
      List<Plot.Series> series, List<Run> runs, String name, Function<Run, Latencies> of) {
    Latencies pooled = new Latencies();
    runs.forEach(run -> pooled.addAll(of.apply(run)));
    if (pooled.count() > 0) {
      series.add(pooled.cdf(name));
    }
  }
}
