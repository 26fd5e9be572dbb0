package dev.freshet.bench;

import dev.freshet.bench.sql.SqlBaseline;
import java.nio.file.Path;

/** The Flink SQL baseline ({@link SqlBaseline}) over the corpus into blackhole sinks. */
record SqlScenario(String name, String stateBackend) implements Scenario {

  @Override
  public String description() {
    return "Flink SQL computing user_listening's windowed features (HOP, TUMBLE, window Top-N), "
        + ("rocksdb".equals(stateBackend) ? "RocksDB" : "heap")
        + " state, blackhole sinks";
  }

  @Override
  public Progress run(BenchContext context, int run) throws Exception {
    Path directory = context.runDirectory(name, run);
    String group = BenchContext.lineage(name, run);
    SqlBaseline.Input input =
        new SqlBaseline.Input(
            context.bootstrapServers(), context.corpus().behaviourTopic(), group, false);
    return FlinkRun.run(
        name,
        FlinkRun.configuration(stateBackend, context.parallelism(), directory),
        env -> SqlBaseline.addTo(env, input, SqlBaseline::blackhole),
        context.corpus().behaviourRecords(),
        context.corpus(),
        context.span());
  }
}
