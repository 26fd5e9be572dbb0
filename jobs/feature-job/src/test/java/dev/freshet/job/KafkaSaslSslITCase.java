package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.events.DecodeResult;
import dev.freshet.events.Event;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.localstack.KafkaBrokerProcess;
import dev.freshet.localstack.ThrowawayCertificates;
import dev.freshet.localstack.Topics;
import dev.freshet.testsupport.Await;
import dev.freshet.testsupport.CapturedLogs;
import dev.freshet.testsupport.Deadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The feature job against a broker whose client listener speaks SASL_SSL only (TLS with a throwaway
 * CA, SCRAM-SHA-512): configured by its own command line with the password in a file, it reads
 * generated events and computes exactly the reference features, writes dead letters through the
 * same login, and the password appears in no log line, job graph, configuration or checkpoint; a
 * client with a wrong password is refused.
 */
class KafkaSaslSslITCase {

  private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final int ACTIONS = 1_500;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);
  private static final List<String> BROKEN_BEHAVIOUR_RECORDS =
      List.of("not json at all", "{\"user_id\": ");

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir static Path brokerDir;

  private static KafkaBrokerProcess broker;

  @TempDir Path tmp;

  @BeforeAll
  static void startBrokerThatRequiresSaslSsl() {
    ThrowawayCertificates certificates =
        ThrowawayCertificates.create(brokerDir.resolve("certificates"), "IP:127.0.0.1");
    broker = KafkaBrokerProcess.startWithSaslSsl(brokerDir.resolve("broker"), certificates);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void jobComputesExactFeaturesThroughSaslSslAndThePasswordAppearsNowhere() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    FeatureJob job = new FeatureJob();
    new CommandLine(job)
        .parseArgs(
            "--contracts",
            "../../contracts",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--kafka-security-protocol",
            "SASL_SSL",
            "--kafka-sasl-mechanism",
            KafkaBrokerProcess.SASL_MECHANISM,
            "--kafka-username",
            KafkaBrokerProcess.SASL_USERNAME,
            "--kafka-password-file",
            broker.passwordFile().toString(),
            "--kafka-tls-ca-file",
            broker.caCertificateFile().toString(),
            "--delta-path",
            tmp.resolve("delta").toString(),
            "--behaviour-topic",
            "behaviour-" + id,
            "--file-topic",
            "file-" + id,
            "--dead-letter-topic",
            "dead-letters-" + id,
            "--consumer-group",
            "it-" + id,
            "--bounded");
    FeatureJobConfig config = job.config();
    KafkaConnection kafka = config.kafka();
    List<Contract> contracts = new ContractLoader().loadDirectory(job.contractsDirectory);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      Topics.createIfMissing(
          admin,
          Map.of(
              config.topic(EventStream.BEHAVIOUR), 2,
              config.topic(EventStream.FILE), 2,
              config.deadLetterTopic(), 1),
          TIMEOUT);
    }
    List<Event> events = produceGeneratedEvents(kafka, config);

    StreamExecutionEnvironment env = environment(tmp.resolve("checkpoints"));
    FeatureJob.build(env, contracts, config);
    StreamGraph streamGraph = env.getStreamGraph();
    JobGraph jobGraph = streamGraph.getJobGraph();
    String serializedJobGraph =
        new String(InstantiationUtil.serializeObject(jobGraph), StandardCharsets.ISO_8859_1);
    assertThat(serializedJobGraph)
        .as("the job graph carries the Kafka settings: the search below looks in the right place")
        .contains(broker.passwordFile().toString());
    assertNoPasswordIn(serializedJobGraph);
    assertNoPasswordIn(jobGraph.getJobConfiguration().toString());
    assertNoPasswordIn(env.getConfiguration().toString());
    assertNoPasswordIn(streamGraph.getStreamingPlanAsJSON());

    try (KafkaLogLevel kafkaInfo = KafkaLogLevel.set(Level.INFO);
        CapturedLogs logs = CapturedLogs.atLevel(Level.INFO)) {
      // A bounded job's checkpoints are deleted when it finishes: read them while it runs.
      CheckpointFiles checkpoints = new CheckpointFiles(tmp.resolve("checkpoints"));
      JobClient client = env.executeAsync(streamGraph);
      Await.until(
          "the job ends",
          JOB_TIMEOUT,
          () -> {
            checkpoints.readNewFiles();
            return hasEnded(client);
          });
      client.getJobExecutionResult().get();

      assertThat(checkpoints.namesRead())
          .as("checkpoint files were read while the job ran")
          .contains("_metadata");
      assertThat(checkpoints.filesHolding(broker.password())).isEmpty();

      assertThat(logs.text())
          .as("the capture saw the job's Kafka clients being configured")
          .contains("sasl.client.callback.handler.class = class " + handlerName());
      assertNoPasswordIn(logs.text());
    }

    for (Contract contract : contracts) {
      ReferenceTables.assertTableMatchesReference(tmp.resolve("delta"), contract, events);
    }
    assertThat(readDeadLetters(kafka, config.deadLetterTopic(), BROKEN_BEHAVIOUR_RECORDS.size()))
        .as("dead letters written and read through SASL_SSL")
        .containsExactlyInAnyOrderElementsOf(BROKEN_BEHAVIOUR_RECORDS);
  }

  /**
   * Up to debug level: the SCRAM exchange of a good login and a refused one. The wrong password
   * appears nowhere either.
   */
  @Test
  void clientWithAWrongPasswordIsRefusedAndNoPasswordIsLogged() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    Path wrongPasswordFile = Files.writeString(tmp.resolve("wrong-password"), wrongPassword);
    KafkaConnection withWrongPassword = connection(wrongPasswordFile);

    try (KafkaLogLevel kafkaDebug = KafkaLogLevel.set(Level.DEBUG);
        CapturedLogs logs = CapturedLogs.atLevel(Level.DEBUG)) {
      assertThat(describeCluster(connection(broker.passwordFile()))).isNotEmpty();
      assertThatThrownBy(() -> describeCluster(withWrongPassword))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SaslAuthenticationException.class)
          .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");

      assertThat(logs.text())
          .as("the capture saw Kafka's debug logs of the logins")
          .contains("invalid credentials")
          .contains("SCRAM");
      assertNoPasswordIn(logs.text());
      assertThat(logs.text()).doesNotContain(wrongPassword);
    }
  }

  private static KafkaConnection connection(Path passwordFile) {
    return KafkaConnection.builder()
        .bootstrapServers(broker.bootstrapServers())
        .securityProtocol(SecurityProtocol.SASL_SSL)
        .username(KafkaBrokerProcess.SASL_USERNAME)
        .passwordFile(passwordFile)
        .caCertificateFile(broker.caCertificateFile())
        .build();
  }

  private static List<?> describeCluster(KafkaConnection connection) throws Exception {
    try (Admin admin = Admin.create(connection.clientProperties())) {
      return new ArrayList<>(
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(10_000))
              .nodes()
              .get(20, TimeUnit.SECONDS));
    }
  }

  /**
   * Produces generated actions 100 ms apart with their file observations, and a few broken
   * behaviour records; returns what the contracts see: the behaviour events and the true file
   * changes.
   */
  private static List<Event> produceGeneratedEvents(KafkaConnection kafka, FeatureJobConfig config)
      throws Exception {
    EventGenerator generator = EventGenerator.builder().seed(41).build();
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < ACTIONS; i++) {
      records.addAll(generator.next(START + i * 100L));
    }
    records.addAll(generator.finish());
    List<Event> events = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> toSend = new ArrayList<>();
    for (GeneratedRecord record : records) {
      DecodeResult decoded = new EventDecoder(record.stream()).decode(record.value());
      assertThat(decoded).isInstanceOf(DecodeResult.Decoded.class);
      if (record.stream() == EventStream.BEHAVIOUR) {
        events.add(((DecodeResult.Decoded) decoded).event());
      }
      toSend.add(
          new ProducerRecord<>(
              config.topic(record.stream()),
              record.key().getBytes(StandardCharsets.UTF_8),
              record.value()));
    }
    events.addAll(generator.fileTruth());
    for (String broken : BROKEN_BEHAVIOUR_RECORDS) {
      toSend.add(
          new ProducerRecord<>(
              config.topic(EventStream.BEHAVIOUR), broken.getBytes(StandardCharsets.UTF_8)));
    }
    Properties producer = kafka.clientProperties();
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> sender =
        new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> acknowledgements = toSend.stream().map(sender::send).toList();
      sender.flush();
      for (Future<RecordMetadata> acknowledgement : acknowledgements) {
        acknowledgement.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    }
    return events;
  }

  /** The values of the topic's committed records, read until {@code count} or the deadline. */
  private static List<String> readDeadLetters(KafkaConnection kafka, String topic, int count) {
    Properties consumer = kafka.clientProperties();
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = new ArrayList<>();
    Deadline deadline = Deadline.after(TIMEOUT);
    try (KafkaConsumer<byte[], byte[]> reader =
        new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          reader.partitionsFor(topic).stream()
              .map(partition -> new TopicPartition(topic, partition.partition()))
              .toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      while (values.size() < count && !deadline.hasPassed()) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
          values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
      // One more poll: a record beyond the expected ones would show here.
      for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(500))) {
        values.add(new String(record.value(), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  private static StreamExecutionEnvironment environment(Path checkpoints) {
    Configuration conf = new Configuration();
    // Hadoop's shutdown hook reads its configuration through the job's closed class loader.
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(200);
    return env;
  }

  private static void assertNoPasswordIn(String text) {
    assertThat(text).doesNotContain(broker.password());
  }

  /** The files of a checkpoint directory, read as they appear; deleted ones are skipped. */
  private static final class CheckpointFiles {
    private final Path dir;
    private final Map<Path, String> contentByFile = new HashMap<>();

    CheckpointFiles(Path dir) {
      this.dir = dir;
    }

    void readNewFiles() {
      if (!Files.isDirectory(dir)) {
        return;
      }
      List<Path> files;
      try (Stream<Path> walk = Files.walk(dir)) {
        files = walk.filter(Files::isRegularFile).toList();
      } catch (IOException | UncheckedIOException deletedWhileWalking) {
        return;
      }
      for (Path file : files) {
        if (!contentByFile.containsKey(file)) {
          try {
            contentByFile.put(
                file, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
          } catch (IOException deletedMeanwhile) {
            // Subsumed by a newer checkpoint before it could be read.
          }
        }
      }
    }

    Set<String> namesRead() {
      return contentByFile.keySet().stream()
          .map(file -> file.getFileName().toString())
          .collect(Collectors.toSet());
    }

    List<Path> filesHolding(String text) {
      return contentByFile.entrySet().stream()
          .filter(file -> file.getValue().contains(text))
          .map(Map.Entry::getKey)
          .toList();
    }
  }

  private static boolean hasEnded(JobClient client) {
    try {
      return client.getJobStatus().get().isGloballyTerminalState();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot get the job's status", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while asking for the job's status", e);
    }
  }

  private static String handlerName() {
    return KafkaPasswordCallbackHandler.class.getName();
  }

  /**
   * The level of Kafka's loggers, which the test configuration keeps at ERROR and so out of {@link
   * CapturedLogs}' reach, raised while open.
   */
  private static final class KafkaLogLevel implements AutoCloseable {
    private static final String KAFKA = "org.apache.kafka";
    private final Level before;

    private KafkaLogLevel(Level before) {
      this.before = before;
    }

    static KafkaLogLevel set(Level level) {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      Level before = context.getConfiguration().getLoggerConfig(KAFKA).getLevel();
      Configurator.setLevel(KAFKA, level);
      return new KafkaLogLevel(before);
    }

    @Override
    public void close() {
      Configurator.setLevel(KAFKA, before);
    }
  }
}
