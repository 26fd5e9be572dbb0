package dev.freshet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaRecordsITCase {

  @RegisterExtension static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void sharesTheBrokerWithOtherTestClasses() {
    assertThat(KAFKA.broker()).isSameAs(KafkaTestBroker.shared());
    assertThat(BrokerProcesses.startedByThisJvm()).isLessThanOrEqualTo(1);
  }

  @Test
  void readAllReturnsCommittedRecordsOnly() {
    String topic = KAFKA.broker().createUniqueTopic("read-all", 2);
    KafkaRecords.produceStrings(KAFKA.bootstrapServers(), topic, List.of("plain"));
    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed"));
      producer.commitTransaction();
    }

    assertThat(KafkaRecords.readAll(KAFKA.bootstrapServers(), topic, TIMEOUT))
        .extracting(ConsumedRecord::valueAsString)
        .containsExactlyInAnyOrder("plain", "committed");
  }

  @Test
  void readAllOfAnEmptyTopicReturnsNothing() {
    String topic = KAFKA.broker().createUniqueTopic("empty", 1);

    assertThat(KafkaRecords.readAll(KAFKA.bootstrapServers(), topic, TIMEOUT)).isEmpty();
  }

  @Test
  void consumeUntilFailsWithTheRecordsReadWhenTheDeadlinePasses() {
    String topic = KAFKA.broker().createUniqueTopic("too-few", 1);
    KafkaRecords.produceValues(
        KAFKA.bootstrapServers(),
        topic,
        List.of("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(
            () ->
                KafkaRecords.consumeAtLeast(
                    KAFKA.bootstrapServers(), topic, 3, Duration.ofSeconds(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("until at least 3 records; read 2 records: [a, b]");
  }

  private static KafkaProducer<String, String> transactionalProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "test-support-it"),
        new StringSerializer(),
        new StringSerializer());
  }
}
