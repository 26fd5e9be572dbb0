package dev.freshet.bench;

import dev.freshet.contract.Contract;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Our feature job over the corpus, on a MiniCluster.
 *
 * @param stateBackend {@code hashmap} (heap) or {@code rocksdb}
 * @param delta whether feature rows go to Delta tables (else they are discarded)
 * @param redis whether online contracts' rows go to Redis
 * @param stateTtl whether state has the contracts' TTL
 * @param onlyContract null for every contract (both streams), else the one behaviour contract to
 *     run, with the file topic left empty
 */
record JobScenario(
    String name,
    String stateBackend,
    boolean delta,
    boolean redis,
    boolean stateTtl,
    String onlyContract)
    implements Scenario {

  @Override
  public String description() {
    return "our job, "
        + (onlyContract == null ? "every contract" : onlyContract + " only")
        + ", "
        + ("rocksdb".equals(stateBackend) ? "RocksDB" : "heap")
        + " state"
        + (stateTtl ? "" : " without TTL")
        + ", "
        + (delta ? (redis ? "Delta and Redis" : "Delta") : "no sink");
  }

  @Override
  public Progress run(BenchContext context, int run) throws Exception {
    if (redis && context.redisUri() == null) {
      throw new IllegalStateException(name + " needs redis-server on the PATH");
    }
    Path directory = context.runDirectory(name, run);
    String lineage = BenchContext.lineage(name, run);
    EventCorpus corpus = context.corpus();
    List<Contract> contracts =
        onlyContract == null
            ? context.contracts()
            : context.contracts().stream().filter(c -> c.id().equals(onlyContract)).toList();
    if (contracts.isEmpty()) {
      throw new IllegalStateException("no contract " + onlyContract);
    }
    FeatureJobConfig.Builder config =
        FeatureJobConfig.builder()
            .bootstrapServers(context.bootstrapServers())
            .behaviourTopic(corpus.behaviourTopic())
            .fileTopic(onlyContract == null ? corpus.fileTopic() : corpus.behaviourOnlyFileTopic())
            .deadLetterTopic(corpus.deadLetterTopic())
            .consumerGroup(lineage)
            .deltaAppId(lineage)
            .deltaBasePath(directory.resolve("delta").toString())
            .redisUri(redis ? context.redisUri() : null)
            .offlineSink(delta)
            .stateTtl(stateTtl);
    if (onlyContract != null) {
      // The file topic is empty then: the watermark waits until that source counts as idle, and
      // the default wait (5 s) would hide most of the run behind it.
      config.idleness(Duration.ofMillis(200));
    }
    long records = corpus.behaviourRecords() + (onlyContract == null ? corpus.fileRecords() : 0);
    return FlinkRun.run(
        name,
        FlinkRun.configuration(stateBackend, context.parallelism(), directory),
        env -> FeatureJob.build(env, contracts, config.build()),
        records,
        corpus,
        context.span());
  }
}
