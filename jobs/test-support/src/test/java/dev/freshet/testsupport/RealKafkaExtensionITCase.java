package dev.freshet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealKafkaExtension.class)
class RealKafkaExtensionITCase {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void injectsTheOneBrokerOfThisJvm(KafkaTestBroker broker) {
    assertThat(broker).isSameAs(KafkaTestBroker.shared());
    assertThat(BrokerProcesses.startedByThisJvm()).isLessThanOrEqualTo(1);
  }

  @Test
  void roundTripsKeysValuesAndHeaders(KafkaTestBroker broker) {
    String topic = broker.createUniqueTopic("round-trip", 3);

    KafkaRecords.produce(
        broker.bootstrapServers(),
        List.of(
            record(topic, "user-1", "clicked", "trace-a"),
            record(topic, "user-2", "viewed", "trace-b")));

    assertThat(KafkaRecords.consumeAtLeast(broker.bootstrapServers(), topic, 2, TIMEOUT))
        .extracting(
            ConsumedRecord::keyAsString,
            ConsumedRecord::valueAsString,
            consumed -> consumed.headerAsString("trace-id"))
        .containsExactlyInAnyOrder(
            tuple("user-1", "clicked", "trace-a"), tuple("user-2", "viewed", "trace-b"));
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, String key, String value, String traceId) {
    return new ProducerRecord<>(
        topic, null, utf8(key), utf8(value), List.of(new RecordHeader("trace-id", utf8(traceId))));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
