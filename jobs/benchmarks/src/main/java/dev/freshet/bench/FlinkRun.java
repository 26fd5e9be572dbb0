package dev.freshet.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs one bounded Flink job on a MiniCluster of its own and samples how many records its sources
 * have emitted. Every job, ours or the SQL baseline, is measured this way: the sum of {@code
 * numRecordsOut} over operators named {@code Source: ...}, read live through Flink's in-memory
 * metric reporter (no REST fetcher, whose values are up to 10 s old).
 */
final class FlinkRun {

  private static final long SAMPLE_INTERVAL_MILLIS = 100;

  private FlinkRun() {}

  /**
   * The configuration of every run.
   *
   * @param stateBackend {@code hashmap} or {@code rocksdb}
   * @param parallelism of every operator
   * @param directory for checkpoints
   */
  static Configuration configuration(String stateBackend, int parallelism, Path directory) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", stateBackend);
    conf.setString("execution.checkpointing.interval", "1 s");
    conf.setString(
        "execution.checkpointing.dir", directory.resolve("checkpoints").toUri().toString());
    conf.setString("parallelism.default", Integer.toString(parallelism));
    conf.setString("rest.bind-port", "0");
    // A failure is a broken benchmark, not something to measure through restarts.
    conf.setString("restart-strategy.type", "none");
    // Every run's MiniCluster lives in this JVM; shutdown hooks of libraries loaded by an earlier
    // run's job (Hadoop's, for Delta) would otherwise trip Flink's leaked-classloader check at
    // exit.
    conf.setString("classloader.check-leaked-classloader", "false");
    return conf;
  }

  /**
   * Builds a job with {@code pipeline}, runs it to its end and returns its progress.
   *
   * @param expectedRecords the records the job's sources will read, for the rate between 20 % and
   *     90 % of them
   * @throws IllegalStateException when the job fails or ends with fewer records read
   */
  static Progress run(
      String name,
      Configuration configuration,
      Consumer<StreamExecutionEnvironment> pipeline,
      long expectedRecords)
      throws Exception {
    InMemoryReporter reporter = InMemoryReporter.create();
    Configuration conf = reporter.addToConfiguration(new Configuration(configuration));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    pipeline.accept(env);
    try {
      JobClient client = env.executeAsync(name);
      // The job's own MiniCluster shuts down as the job ends, so its end is seen on this future,
      // which also carries the failure of a failed job.
      CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
      SourceCounters sources = new SourceCounters(reporter, client.getJobID());
      Progress progress = Progress.start(expectedRecords);
      progress.sampleUntil(sources::sum, result::isDone, SAMPLE_INTERVAL_MILLIS);
      result.join();
      if (progress.consumed() < expectedRecords) {
        throw new IllegalStateException(
            name + " read " + progress.consumed() + " records, expected " + expectedRecords);
      }
      return progress;
    } finally {
      reporter.close();
    }
  }

  /** The record counters of a job's sources, kept once found: they outlive their metric group. */
  private static final class SourceCounters {
    private final InMemoryReporter reporter;
    private final JobID jobId;
    private final Map<String, Counter> counters = new HashMap<>();

    SourceCounters(InMemoryReporter reporter, JobID jobId) {
      this.reporter = reporter;
      this.jobId = jobId;
    }

    long sum() {
      for (Map.Entry<String, Metric> metric :
          reporter.findMetrics(jobId, "numRecordsOut").entrySet()) {
        if (metric.getKey().contains(".Source: ") && metric.getValue() instanceof Counter counter) {
          counters.putIfAbsent(metric.getKey(), counter);
        }
      }
      return counters.values().stream().mapToLong(Counter::getCount).sum();
    }
  }
}
