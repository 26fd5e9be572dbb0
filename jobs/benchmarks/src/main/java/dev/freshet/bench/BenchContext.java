package dev.freshet.bench;

import dev.freshet.contract.Contract;
import java.nio.file.Path;
import java.util.List;

/**
 * What every scenario shares: the broker and its corpus, the contracts, a Redis when there is one,
 * and a working directory.
 *
 * @param redisUri null when no {@code redis-server} could be started
 * @param parallelism of every Flink job
 * @param span hears when each run passes 20 % and 90 % of its input
 */
record BenchContext(
    String bootstrapServers,
    EventCorpus corpus,
    List<Contract> contracts,
    String redisUri,
    Path workDirectory,
    int parallelism,
    MeasuredSpan span) {

  /** The same context, whose runs tell {@code span} of their measured span. */
  BenchContext withSpan(MeasuredSpan span) {
    return new BenchContext(
        bootstrapServers, corpus, contracts, redisUri, workDirectory, parallelism, span);
  }

  /** A fresh directory for one run of one scenario. */
  Path runDirectory(String scenario, int run) {
    return workDirectory.resolve(scenario).resolve(runLabel(run));
  }

  /**
   * A consumer group (and Delta application id) no run used before: every run reads the corpus from
   * its start and writes tables of its own.
   */
  static String lineage(String scenario, int run) {
    return "bench-" + scenario + "-" + runLabel(run) + "-" + System.nanoTime();
  }

  private static String runLabel(int run) {
    return run < 0 ? "warm-up" : "run-" + run;
  }
}
