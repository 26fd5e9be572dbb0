package dev.freshet.bench;

/** See {@link Ceiling}. */
final class CeilingScenario implements Scenario {

  @Override
  public String name() {
    return "ceiling";
  }

  @Override
  public String description() {
    return "one Kafka consumer thread decoding every record with the job's decoder, no Flink";
  }

  @Override
  public Progress run(BenchContext context, int run) {
    return Ceiling.run(context.bootstrapServers(), context.corpus(), context.span());
  }
}
