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
 */
record BenchContext(
    String bootstrapServers,
    EventCorpus corpus,
    List<Contract> contracts,
    String redisUri,
    Path workDirectory,
    int parallelism) {

  /** A fresh directory for one run of one scenario. */
  Path runDirectory(String scenario, int run) {
    return workDirectory.resolve(scenario).resolve(run < 0 ? "warm-up" : "run-" + run);
  }
}
