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
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new StringDeserializer())) {
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
