package dev.freshet.bench;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs one Flink job on a MiniCluster of its own and samples how far it has processed the corpus.
 * Every job, ours or the SQL baseline, is measured this way: by the lowest input watermark of its
 * sink writers, read live through Flink's in-memory metric reporter (no REST fetcher, whose values
 * are up to 10 s old). The corpus' event time grows evenly with its records, so the watermark says
 * how many records the job is done with.
 *
 * <p>Counting what the sources emitted would not do: network buffers between the tasks hold tens of
 * megabytes, a good part of the corpus, so sources run far ahead of what has been processed.
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
   * Builds a job with {@code pipeline}, runs it until it has processed the corpus' measured records
   * and cancels it.
   *
   * <p>The job is not left to finish: at the end of a bounded input the watermark jumps to the end
   * of time and every window of every key fires at once, an hour of event time in one go, which
   * took longer than reading the whole corpus (minutes with RocksDB). A live job spreads that work
   * over the hour; the rate measured before it is what the job sustains.
   *
   * @param records the measured records the job reads (those of the topics it reads)
   * @throws IllegalStateException when the job fails, or ends before processing them all
   */
  static Progress run(
      String name,
      Configuration configuration,
      Consumer<StreamExecutionEnvironment> pipeline,
      long records,
      EventCorpus corpus,
      MeasuredSpan span)
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
      ProcessedRecords processed =
          new ProcessedRecords(reporter, client.getJobID(), records, corpus);
      Progress progress = Progress.start(records, span);
      progress.sampleUntil(
          processed::count,
          () -> result.isDone() || progress.consumed() >= records,
          SAMPLE_INTERVAL_MILLIS);
      if (result.isDone()) {
        result.join();
        throw new IllegalStateException(
            name + " ended after " + progress.consumed() + " of " + records + " records");
      }
      client.cancel().get(1, TimeUnit.MINUTES);
      result.handle((ignored, cancelled) -> null).get(1, TimeUnit.MINUTES);
      return progress;
    } finally {
      reporter.close();
    }
  }

  /**
   * Records processed by the whole job: the share of the corpus' event time that the job's {@link
   * SinkWatermarks} have passed, times its records.
   */
  private static final class ProcessedRecords {
    private final SinkWatermarks watermarks;
    private final long records;
    private final EventCorpus corpus;

    ProcessedRecords(InMemoryReporter reporter, JobID jobId, long records, EventCorpus corpus) {
      this.watermarks = new SinkWatermarks(reporter, jobId);
      this.records = records;
      this.corpus = corpus;
    }

    long count() {
      long lowest = watermarks.lowest();
      // Long.MIN_VALUE until a watermark arrives: compare before subtracting, which would wrap.
      if (lowest <= EventCorpus.START_MILLIS) {
        return 0;
      }
      double share = (double) (lowest - EventCorpus.START_MILLIS) / corpus.eventTimeSpanMillis();
      return Math.round(Math.min(1, share) * records);
    }
  }
}
