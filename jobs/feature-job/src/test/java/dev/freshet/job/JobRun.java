package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.events.DecodeResult;
import dev.freshet.events.Event;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.localstack.Topics;
import dev.freshet.testsupport.KafkaRecords;
import dev.freshet.testsupport.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One run of the job on its own topics and Delta folder, on the shared broker or another. */
final class JobRun {

  static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final List<Contract> CONTRACTS =
      new ContractLoader().loadDirectory(Path.of("../../contracts"));
  static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
  final String bootstrapServers;
  final String behaviourTopic;
  final String fileTopic;
  final String deadLetterTopic;
  final Path deltaPath;
  final Path checkpointPath;
  private long produced;

  JobRun(Path tmp) {
    this(tmp, BROKER.bootstrapServers());
  }

  /** A run against the broker at {@code bootstrapServers}, which takes plain text. */
  JobRun(Path tmp, String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
    String id = UUID.randomUUID().toString().substring(0, 8);
    behaviourTopic = "behaviour-" + id;
    fileTopic = "file-" + id;
    deadLetterTopic = "dead-letters-" + id;
    deltaPath = tmp.resolve("delta");
    checkpointPath = tmp.resolve("checkpoints");
    Topics.createIfMissing(
        bootstrapServers,
        Map.of(behaviourTopic, 2, fileTopic, 2, deadLetterTopic, 1),
        KafkaTestBroker.TOPIC_TIMEOUT);
  }

  List<Event> produce(EventGenerator generator, int actions) {
    return produce(generator, actions, new ArrayList<>());
  }

  /**
   * Produces generated actions 100 ms apart, with the file observations that arrive meanwhile;
   * returns what the contracts see: the behaviour events that decode and the true file changes.
   */
  List<Event> produce(EventGenerator generator, int actions, List<GeneratedRecord> broken) {
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < actions; i++) {
      records.addAll(generator.next(START + i * 100L));
    }
    return produceAll(generator, records, broken);
  }

  /**
   * As {@link #produce(EventGenerator, int)}, with as many actions as make {@code count} records.
   */
  List<Event> produceAtLeast(EventGenerator generator, int count) {
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; records.size() < count; i++) {
      records.addAll(generator.next(START + i * 100L));
    }
    return produceAll(generator, records, new ArrayList<>());
  }

  /**
   * Produces {@code records} and what {@code generator} has still to hand out; returns what the
   * contracts see, and adds to {@code broken} the records that do not decode.
   */
  List<Event> produceAll(
      EventGenerator generator, List<GeneratedRecord> records, List<GeneratedRecord> broken) {
    records.addAll(generator.finish());
    List<Event> events = new ArrayList<>();
    for (GeneratedRecord record : records) {
      DecodeResult result = new EventDecoder(record.stream()).decode(record.value());
      if (!(result instanceof DecodeResult.Decoded decoded)) {
        broken.add(record);
      } else if (record.stream() == EventStream.BEHAVIOUR) {
        events.add(decoded.event());
      }
    }
    events.addAll(generator.fileTruth());
    produce(records);
    return events;
  }

  /** Produces the records to this run's topics, in order. */
  void produce(List<GeneratedRecord> records) {
    produced += records.size();
    KafkaRecords.produce(
        bootstrapServers,
        records.stream()
            .map(
                r ->
                    new ProducerRecord<>(
                        r.stream() == EventStream.BEHAVIOUR ? behaviourTopic : fileTopic,
                        r.key().getBytes(StandardCharsets.UTF_8),
                        r.value()))
            .toList());
  }

  /** How many records this run produced to its topics. */
  long produced() {
    return produced;
  }

  /** How this run's jobs run: checkpoints in its folder, quick fixed-delay restarts. */
  Configuration flinkConfiguration() {
    Configuration conf = new Configuration();
    // Hadoop's shutdown hook reads its configuration through the job's closed class loader.
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    // On files, as in production: the JobManager's heap takes at most 5 MB of state.
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointPath.toUri().toString());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    return conf;
  }

  void execute(long checkpointMillis, DeltaCommitListener listener) throws Exception {
    execute(checkpointMillis, listener, CONTRACTS);
  }

  void execute(long checkpointMillis, DeltaCommitListener listener, List<Contract> contracts)
      throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration());
    env.setParallelism(2);
    env.enableCheckpointing(checkpointMillis);
    FeatureJob.build(
        env,
        contracts,
        FeatureJobConfig.builder()
            .bootstrapServers(bootstrapServers)
            .behaviourTopic(behaviourTopic)
            .fileTopic(fileTopic)
            .deadLetterTopic(deadLetterTopic)
            .consumerGroup("it-" + behaviourTopic)
            .deltaBasePath(deltaPath.toString())
            .deltaCommitListener(listener)
            .boundedInput(true)
            .build());
    env.execute("feature job under test");
  }
}
