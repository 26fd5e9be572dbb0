package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LateEventToDeadLetterTest {

  @Test
  void aLateDeadLetterIsJsonNamingTheEventAndTheWatermarkThatMadeItLate() throws Exception {
    FeatureInput input = new FeatureInput();
    input.contract = "user_listening";
    input.entityKey = "host-1\u001f/var/\"log\"\\x";
    input.eventTime = 10_000;

    DeadLetter letter = new LateEventToDeadLetter().map(new LateEvent(input, 12_500));

    JsonNode value = new ObjectMapper().readTree(new String(letter.value, StandardCharsets.UTF_8));
    assertThat(value.get("contract").asText()).isEqualTo("user_listening");
    assertThat(value.get("entity_key").asText()).isEqualTo(input.entityKey);
    assertThat(value.get("event_time").asLong()).isEqualTo(10_000);
    assertThat(value.get("watermark").asLong()).isEqualTo(12_500);
    assertThat(letter.reason).isEqualTo("late_event");
    assertThat(letter.detail).startsWith("2500 ms behind the watermark");
    assertThat(new String(letter.key, StandardCharsets.UTF_8)).isEqualTo(input.entityKey);
  }
}
