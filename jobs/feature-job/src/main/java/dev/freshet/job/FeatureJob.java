package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.delta.DeltaSink;
import dev.freshet.events.BehaviourEvent;
import dev.freshet.events.Event;
import dev.freshet.events.EventStream;
import dev.freshet.events.FileEvent;
import dev.freshet.online.OnlineSink;
import dev.freshet.online.RedisConnectionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The feature job: one Flink job serving every contract.
 *
 * <pre>
 * Kafka source per stream (decode, watermarks) → split off dead letters
 *   file events only: key by (host, device, inode) → normalize → hold watermarks back
 *   → route to contracts → key by (contract, entity) → tile aggregation → feature rows
 *   → offline rows → Delta sink (one table per contract)
 *   → online rows of online contracts → Redis in Feast's layout (with a Redis URI)
 * dead letters (undecodable records, late observations, late events) → dead-letter topic
 * </pre>
 *
 * {@link #build} wires the pipeline into any environment, so tests run the very same topology on a
 * MiniCluster; {@link #main} is what a Flink cluster runs.
 */
@Command(
    name = "feature-job",
    mixinStandardHelpOptions = true,
    description =
        "Computes the features of the given contracts from Kafka into Delta tables and, for"
            + " contracts served online, into Redis in Feast's layout.")
public final class FeatureJob implements Callable<Integer> {

  @Option(names = "--contracts", required = true, description = "Directory of contract YAML files.")
  Path contractsDirectory;

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Mixin KafkaConnectionOptions kafkaOptions = new KafkaConnectionOptions();

  @Option(names = "--delta-path", required = true, description = "Base path of the offline tables.")
  String deltaPath;

  @Option(
      names = "--redis-uri",
      description =
          "Online store for contracts with online.enabled, e.g. redis://host:6379. Without it their"
              + " features reach Delta only.")
  String redisUri;

  @Mixin RedisConnectionOptions redisOptions = new RedisConnectionOptions();

  @Option(names = "--dead-letter-topic", defaultValue = "freshet-dead-letters")
  String deadLetterTopic;

  @Option(names = "--behaviour-topic", defaultValue = "behaviour-events")
  String behaviourTopic;

  @Option(names = "--file-topic", defaultValue = "file-events")
  String fileTopic;

  @Option(
      names = "--consumer-group",
      defaultValue = "freshet-feature-job",
      description = "Kafka consumer group; also the prefix of the dead-letter transactions.")
  String consumerGroup;

  @Option(
      names = "--hadoop-property",
      paramLabel = "KEY=VALUE",
      description =
          "A Hadoop setting of the Delta tables' file system, repeatable; for s3a:// paths e.g."
              + " fs.s3a.endpoint=http://minio:9000 and fs.s3a.path.style.access=true"
              + " (credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).")
  Map<String, String> hadoopProperties = new LinkedHashMap<>();

  @Option(
      names = "--job-name",
      defaultValue = "freshet features",
      description = "The Flink job's name, the job_name label of its metrics.")
  String jobName;

  @Option(
      names = "--delta-app-id",
      defaultValue = "freshet-feature-job",
      description =
          "The job's lineage in the Delta tables: keep it when the job restores from a checkpoint"
              + " or savepoint, change it when the job starts without state.")
  String deltaAppId;

  @Option(names = "--max-out-of-orderness-ms", defaultValue = "1000")
  long maxOutOfOrdernessMillis;

  @Option(
      names = "--bounded",
      description =
          "Read up to the offsets that are the latest when the job starts, close every window and"
              + " finish: a backfill or a replay.")
  boolean bounded;

  @Option(
      names = "--idleness-ms",
      defaultValue = "60000",
      description =
          "How long a Kafka partition goes without records before it stops holding the watermark"
              + " back.")
  long idlenessMillis;

  @Option(
      names = "--max-event-time-ahead-ms",
      defaultValue = "60000",
      description =
          "Events timed further ahead of the job's clock go to the dead-letter topic: the worst"
              + " clock skew of the producers.")
  long maxEventTimeAheadMillis;

  @Option(
      names = "--redis-outage-tolerance-ms",
      defaultValue = "120000",
      description =
          "How long the online sink holds a row while Redis is away, backpressuring the job, before"
              + " it fails the job (which then restarts from its last checkpoint).")
  long redisOutageToleranceMillis;

  @Option(
      names = "--dedup-window-ms",
      defaultValue = "200",
      description = "How far apart an inotify and a poll report of one file change may be.")
  long dedupWindowMillis;

  @Option(
      names = "--rename-timeout-ms",
      defaultValue = "1000",
      description = "How long a rename half waits for its partner.")
  long renameTimeoutMillis;

  public static void main(String[] args) {
    int exitCode = new CommandLine(new FeatureJob()).execute(args);
    if (exitCode != 0) {
      throw new IllegalStateException("feature job failed to start, exit code " + exitCode);
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Contract> contracts = new ContractLoader().loadDirectory(contractsDirectory);
    FeatureJobConfig config = config();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    build(env, contracts, config);
    // A stable name: metrics carry it as job_name, which dashboards and alerts select by.
    env.execute(jobName);
    return 0;
  }

  /** The job's settings from its command line. */
  FeatureJobConfig config() {
    return FeatureJobConfig.builder()
        .kafka(kafkaOptions.connection(bootstrapServers))
        .deltaBasePath(deltaPath)
        .redis(redisOptions.connection(redisUri).orElse(null))
        .deadLetterTopic(deadLetterTopic)
        .behaviourTopic(behaviourTopic)
        .fileTopic(fileTopic)
        .consumerGroup(consumerGroup)
        .deltaAppId(deltaAppId)
        .hadoopConfiguration(hadoopProperties)
        .maxOutOfOrderness(Duration.ofMillis(maxOutOfOrdernessMillis))
        .maxEventTimeAhead(Duration.ofMillis(maxEventTimeAheadMillis))
        .idleness(Duration.ofMillis(idlenessMillis))
        .boundedInput(bounded)
        .dedupWindow(Duration.ofMillis(dedupWindowMillis))
        .renameTimeout(Duration.ofMillis(renameTimeoutMillis))
        .redisOutageTolerance(Duration.ofMillis(redisOutageToleranceMillis))
        .build();
  }

  /** Adds the whole pipeline for {@code contracts} to {@code env}. */
  public static void build(
      StreamExecutionEnvironment env, List<Contract> contracts, FeatureJobConfig config) {
    List<ContractPlan> plans =
        contracts.stream()
            .map(config.stateTtl() ? ContractPlan::of : ContractPlan::withoutStateTtl)
            .toList();

    SingleOutputStreamOperator<BehaviourEvent> behaviourEvents =
        decodedEvents(env, EventStream.BEHAVIOUR, BehaviourEvent.class, config);
    SingleOutputStreamOperator<FileEvent> fileObservations =
        decodedEvents(env, EventStream.FILE, FileEvent.class, config);
    SingleOutputStreamOperator<FileEvent> fileChanges = normalized(fileObservations, config);

    DataStream<FeatureInput> behaviourInputs =
        routed(behaviourEvents, EventStream.BEHAVIOUR, contracts);
    DataStream<FeatureInput> fileInputs =
        routed(
            fileChanges
                .transform(
                    "hold watermarks back by the rename timeout",
                    TypeInformation.of(FileEvent.class),
                    new DelayedWatermarks<FileEvent>(config.renameTimeout(), change -> change.ts))
                .uid("delay-file-watermarks"),
            EventStream.FILE,
            contracts);

    SingleOutputStreamOperator<FeatureRow> featureRows =
        behaviourInputs
            .union(fileInputs)
            .keyBy(new ByContractAndEntity())
            .transform(
                "aggregate features in tiles",
                TypeInformation.of(FeatureRow.class),
                new TileAggregatorOperator(plans))
            .uid("aggregate-features");

    if (config.offlineSink()) {
      featureRows
          .map(new OfflineRowMapper(contracts))
          .name("to offline rows")
          .uid("to-offline-rows")
          .sinkTo(deltaSink(contracts, config))
          .name("delta tables")
          .uid("delta-sink");
    } else {
      featureRows
          .sinkTo(new DiscardingSink<>())
          .name("discard feature rows (offline sink off)")
          .uid("discard-feature-rows");
    }

    if (config.redis() != null && OnlineRowMapper.anyOnline(contracts)) {
      featureRows
          .flatMap(new OnlineRowMapper(contracts))
          .name("to online rows")
          .uid("to-online-rows")
          .sinkTo(
              OnlineSink.builder()
                  .redis(config.redis())
                  .outageTolerance(config.redisOutageTolerance())
                  .writeListener(
                      new OnlineFreshnessListener(contracts, config.onlineWriteListener()))
                  .build())
          .name("online store (Redis, Feast layout)")
          .uid("online-sink");
    }

    DataStream<DeadLetter> lateEvents =
        featureRows
            .getSideOutput(TileAggregator.LATE_EVENTS)
            .map(new LateEventToDeadLetter())
            .name("late events as dead letters")
            .uid("late-events-to-dead-letters");
    DataStream<DeadLetter> lateObservations =
        fileChanges
            .getSideOutput(FileEventNormalizer.LATE_OBSERVATIONS)
            .map(new LateObservationToDeadLetter())
            .name("late file observations as dead letters")
            .uid("late-observations-to-dead-letters");
    behaviourEvents
        .getSideOutput(DeadLetterSplit.DEAD_LETTERS)
        .union(
            fileObservations.getSideOutput(DeadLetterSplit.DEAD_LETTERS),
            lateEvents,
            lateObservations)
        .map(new CountDeadLetters())
        .name("count dead letters")
        .uid("count-dead-letters")
        .sinkTo(deadLetterSink(config))
        .name("dead-letter topic")
        .uid("dead-letter-sink");
  }

  /** The stream's events from Kafka, with watermarks; its dead letters in a side output. */
  private static <E extends Event> SingleOutputStreamOperator<E> decodedEvents(
      StreamExecutionEnvironment env,
      EventStream stream,
      Class<E> eventType,
      FeatureJobConfig config) {
    WatermarkStrategy<DecodedRecord> watermarks =
        WatermarkStrategy.<DecodedRecord>forBoundedOutOfOrderness(config.maxOutOfOrderness())
            .withTimestampAssigner(new EventTimeOfRecord())
            .withIdleness(config.idleness());
    return env.fromSource(kafkaSource(stream, config), watermarks, stream.defaultTopic())
        .uid("source-" + stream.sourceName())
        .process(new DeadLetterSplit<E>(stream))
        .returns(eventType)
        .name("split " + stream.sourceName() + " dead letters")
        .uid("split-" + stream.sourceName() + "-dead-letters");
  }

  /** File observations as the changes they report, per file (host, device, inode). */
  private static SingleOutputStreamOperator<FileEvent> normalized(
      DataStream<FileEvent> observations, FeatureJobConfig config) {
    return observations
        .keyBy(new ByFile())
        .process(
            new FileEventNormalizer(
                config.dedupWindow(),
                config.renameTimeout(),
                config.stateTtl() ? config.fileStateTtl() : null))
        .name("normalize file events")
        .uid("normalize-file-events");
  }

  private static <E extends Event> DataStream<FeatureInput> routed(
      DataStream<E> events, EventStream stream, List<Contract> contracts) {
    List<Contract> contractsOfStream =
        contracts.stream().filter(c -> c.source() == stream).toList();
    return events
        .process(new ContractRouter<E>(contractsOfStream))
        .returns(FeatureInput.class)
        .name("route " + stream.sourceName() + " events to contracts")
        .uid("route-" + stream.sourceName());
  }

  private static KafkaSource<DecodedRecord> kafkaSource(
      EventStream stream, FeatureJobConfig config) {
    KafkaSourceBuilder<DecodedRecord> builder =
        KafkaSource.<DecodedRecord>builder()
            .setBootstrapServers(config.bootstrapServers())
            .setTopics(config.topic(stream))
            .setGroupId(config.consumerGroup())
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new KafkaEventDeserializer(stream, config.maxEventTimeAhead()));
    // Security settings name the password's file or variable only: the source is serialized into
    // the job graph, and the client reads the password itself where it connects.
    config.kafka().securityProperties().forEach(builder::setProperty);
    if (config.boundedInput()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  private static DeltaSink deltaSink(List<Contract> contracts, FeatureJobConfig config) {
    return DeltaSink.builder()
        .basePath(config.deltaBasePath())
        .tables(OfflineRowMapper.tableSchemas(contracts))
        .appId(config.deltaAppId())
        .hadoopConfiguration(config.hadoopConfiguration())
        .eventTimeColumn(OfflineRowMapper.FEATURE_TIME_COLUMN)
        .commitListener(new DeltaFreshnessListener(contracts, config.deltaCommitListener()))
        .build();
  }

  private static KafkaSink<DeadLetter> deadLetterSink(FeatureJobConfig config) {
    Properties producer = new Properties();
    // Below the broker's default transaction.max.timeout.ms of 15 minutes (the builder's is 1 h).
    producer.setProperty("transaction.timeout.ms", "600000");
    producer.putAll(config.kafka().securityProperties());
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setRecordSerializer(new DeadLetterSerializer(config.deadLetterTopic()))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.consumerGroup() + "-dead-letters")
        .setKafkaProducerConfig(producer)
        .build();
  }

  /** Keys feature inputs by contract and entity. */
  static final class ByContractAndEntity implements KeySelector<FeatureInput, String> {
    @Override
    public String getKey(FeatureInput input) {
      return input.key();
    }
  }

  /** Keys file observations by the file system object they are about. */
  static final class ByFile implements KeySelector<FileEvent, String> {
    @Override
    public String getKey(FileEvent observation) {
      return FileEventNormalizer.keyOf(observation);
    }
  }

  /** Event time of decoded records; dead letters never move the watermark. */
  static final class EventTimeOfRecord implements SerializableTimestampAssigner<DecodedRecord> {
    @Override
    public long extractTimestamp(DecodedRecord record, long kafkaTimestamp) {
      return record.eventTime();
    }
  }
}
