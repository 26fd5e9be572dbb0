package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.events.EventStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaEventDeserializerTest {

  private final KafkaEventDeserializer deserializer =
      new KafkaEventDeserializer(EventStream.BEHAVIOUR, Duration.ofMinutes(1));

  @Test
  void anEventWithinTheAllowedClockSkewIsAccepted() {
    DecodedRecord decoded = deserialize(System.currentTimeMillis() + 30_000);

    assertThat(decoded.deadLetter).isNull();
    assertThat(decoded.behaviour.userId).isEqualTo("u1");
  }

  @Test
  void anEventFromTooFarInTheFutureIsADeadLetterSoItCannotCarryTheWatermarkAhead() {
    DecodedRecord decoded = deserialize(System.currentTimeMillis() + 120_000);

    assertThat(decoded.event()).isNull();
    assertThat(decoded.eventTime()).isEqualTo(Long.MIN_VALUE);
    assertThat(decoded.deadLetter.reason).isEqualTo("invalid_value");
    assertThat(decoded.deadLetter.detail)
        .startsWith("ts: ")
        .endsWith("ms ahead of the job's clock, more than the 60000 ms allowed");
    assertThat(decoded.deadLetter.sourceTopic).isEqualTo("behaviour-events");
    assertThat(decoded.deadLetter.offset).isEqualTo(7);
  }

  private DecodedRecord deserialize(long ts) {
    byte[] value =
        ("{\"event_id\":\"e1\",\"user_id\":\"u1\",\"action\":\"play\",\"ts\":" + ts + "}")
            .getBytes(StandardCharsets.UTF_8);
    List<DecodedRecord> out = new ArrayList<>();
    deserializer.deserialize(
        new ConsumerRecord<>(
            "behaviour-events", 0, 7, "u1".getBytes(StandardCharsets.UTF_8), value),
        new Collector<>() {
          @Override
          public void collect(DecodedRecord record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    assertThat(out).hasSize(1);
    return out.get(0);
  }
}
