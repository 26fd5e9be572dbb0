package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessITCase {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String TOPIC = "orders";

  @Test
  void readCommittedConsumerSeesCommittedTransactionsOnly(@TempDir Path workDir) {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir)) {
      Topics.createIfMissing(broker.bootstrapServers(), Map.of(TOPIC, 2), TIMEOUT);

      try (KafkaProducer<String, String> producer = transactionalProducer(broker)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, "k0", "aborted"));
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        for (String value : List.of("first", "second", "third")) {
          producer.send(new ProducerRecord<>(TOPIC, value, value));
        }
        producer.commitTransaction();
      }

      assertThat(readCommittedValues(broker, 3))
          .containsExactlyInAnyOrder("first", "second", "third");
    }
  }

  @Test
  void closeStopsTheProcessAndFreesItsPorts(@TempDir Path workDir) throws IOException {
    KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir);
    ProcessHandle process = broker.processHandle();
    assertThat(process.isAlive()).isTrue();

    broker.close();
    broker.close();

    assertThat(process.isAlive()).as("broker process alive after close").isFalse();
    assertThat(process.descendants()).isEmpty();
    assertCanListenOn(broker.brokerPort());
    assertCanListenOn(broker.controllerPort());
  }

  @Test
  void restartOnTheSameWorkDirKeepsTopicsAndRecords(@TempDir Path workDir) {
    try (KafkaBrokerProcess first = KafkaBrokerProcess.start(workDir)) {
      Topics.createIfMissing(first.bootstrapServers(), Map.of(TOPIC, 1), TIMEOUT);
      try (KafkaProducer<String, String> producer = plainProducer(first)) {
        producer.send(new ProducerRecord<>(TOPIC, "kept"));
      }
    }

    try (KafkaBrokerProcess second = KafkaBrokerProcess.start(workDir)) {
      Topics.createIfMissing(second.bootstrapServers(), Map.of(TOPIC, 1), TIMEOUT);
      assertThat(readCommittedValues(second, 1)).containsExactly("kept");
    }
  }

  @Test
  void aKilledBrokerRestartsOnItsAddressAndItsClientsCarryOn(@TempDir Path workDir) {
    KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir);
    try {
      Topics.createIfMissing(broker.bootstrapServers(), Map.of(TOPIC, 1), TIMEOUT);
      String address = broker.bootstrapServers();
      try (KafkaProducer<String, String> producer = plainProducer(broker)) {
        producer.send(new ProducerRecord<>(TOPIC, "before the crash"));
        producer.flush();
        ProcessHandle killed = broker.processHandle();

        broker.kill();
        assertThat(killed.isAlive()).as("killed broker process alive").isFalse();
        broker = broker.restart();

        assertThat(broker.bootstrapServers()).isEqualTo(address);
        producer.send(new ProducerRecord<>(TOPIC, "after the restart"));
      }
      assertThat(readCommittedValues(broker, 2))
          .containsExactly("before the crash", "after the restart");
    } finally {
      broker.close();
    }
  }

  @Test
  void saslSslBrokerServesOnlyClientsThatTrustItsCaAndGiveThePassword(@TempDir Path workDir)
      throws IOException {
    ThrowawayCertificates certificates =
        ThrowawayCertificates.create(workDir.resolve("certificates"), "IP:127.0.0.1");
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.startWithSaslSsl(workDir.resolve("broker"), certificates)) {
      assertThat(broker.internalPort()).isNotEqualTo(broker.brokerPort());
      assertThat(Files.readString(broker.passwordFile())).isEqualTo(broker.password() + "\n");
      try (Admin admin = Admin.create(saslSsl(broker, broker.password()))) {
        Topics.createIfMissing(admin, Map.of(TOPIC, 1), TIMEOUT);
      }
      Map<String, Object> producer = new HashMap<>(saslSsl(broker, broker.password()));
      producer.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> sender =
          new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer())) {
        sender.send(new ProducerRecord<>(TOPIC, "through SASL_SSL"));
      }
      assertThat(readCommittedValues(saslSsl(broker, broker.password()), 1))
          .containsExactly("through SASL_SSL");

      assertThat(describeClusterFailure(saslSsl(broker, "not-" + broker.password())))
          .isInstanceOf(SaslAuthenticationException.class)
          .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
      Map<String, Object> plainText =
          Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      assertThat(describeClusterFailure(plainText))
          .as("a plain-text client gets no answer from the SASL_SSL listener")
          .isInstanceOf(TimeoutException.class);
    }
  }

  /** The failure of a cluster description by a client with {@code properties}. */
  private static Throwable describeClusterFailure(Map<String, Object> properties) {
    try (Admin admin = Admin.create(properties)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes().get();
      throw new AssertionError("The broker served a client with " + properties.keySet());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted", e);
    }
  }

  /** A client of the broker's SASL_SSL listener that trusts its CA and gives {@code password}. */
  private static Map<String, Object> saslSsl(KafkaBrokerProcess broker, String password) {
    return Map.of(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        broker.bootstrapServers(),
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        "SASL_SSL",
        SaslConfigs.SASL_MECHANISM,
        KafkaBrokerProcess.SASL_MECHANISM,
        SaslConfigs.SASL_JAAS_CONFIG,
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + KafkaBrokerProcess.SASL_USERNAME
            + "\" password=\""
            + password
            + "\";",
        SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
        "PEM",
        SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
        broker.caCertificateFile().toString());
  }

  @Test
  void brokerThatExitsDuringStartupFailsWithTheEndOfItsLog(@TempDir Path workDir)
      throws IOException {
    Path dataOfAnotherNode = Files.createDirectories(workDir.resolve("data"));
    Files.writeString(
        dataOfAnotherNode.resolve("meta.properties"),
        "version=1\nnode.id=7\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\n");

    assertThatThrownBy(() -> KafkaBrokerProcess.start(workDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("last lines of " + workDir.resolve("broker.log"))
        .hasMessageContaining("node id 7");
  }

  private static KafkaProducer<String, String> transactionalProducer(KafkaBrokerProcess broker) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "local-stack-it",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true),
        new StringSerializer(),
        new StringSerializer());
  }

  private static KafkaProducer<String, String> plainProducer(KafkaBrokerProcess broker) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new StringSerializer());
  }

  /** Reads the topic from the start until {@code expectedCount} values or the deadline. */
  private static List<String> readCommittedValues(KafkaBrokerProcess broker, int expectedCount) {
    return readCommittedValues(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), expectedCount);
  }

  /** Reads the topic as a client with {@code properties}. */
  private static List<String> readCommittedValues(
      Map<String, Object> properties, int expectedCount) {
    Map<String, Object> consumerProperties = new HashMap<>(properties);
    consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            consumerProperties, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(TOPIC).stream()
              .map(info -> new TopicPartition(TOPIC, info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadlineNanos = System.nanoTime() + TIMEOUT.toNanos();
      while (values.size() < expectedCount && System.nanoTime() - deadlineNanos < 0) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static void assertCanListenOn(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      // As the broker's own acceptor does, so that closed connections in TIME_WAIT do not count.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }
}
