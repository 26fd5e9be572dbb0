package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.EventExpressions;
import dev.freshet.events.BehaviourEvent;
import dev.freshet.events.EventStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractInputsTest {

  /** An integer division: a song of length 0 makes it fail at run time. */
  private static final String CONTRACT =
      """
      name: listened_per_length
      version: 1
      owner: test
      description: Integer shares of songs played, so that a zero length fails at run time.
      source: { stream: behaviour }
      entity:
        name: user
        keys: [{ field: user_id, type: string }]
      features:
        - name: plays_1m
          type: long
          aggregation: count
          window: { type: tumbling, size: 1m }
        - name: whole_songs_played_1m
          type: long
          aggregation: sum
          input: played_ms / song_ms
          window: { type: tumbling, size: 1m }
      state_ttl: 1h
      freshness_sla: 10s
      offline:
        table: listened_per_length
      """;

  @TempDir Path dir;

  @Test
  void anEventOnWhichAnExpressionFailsIsCountedAndFeedsOnlyTheOtherFeatures() throws IOException {
    Contract contract = load(CONTRACT);
    SimpleCounter expressionErrors = new SimpleCounter();
    ContractInputs inputs =
        new ContractInputs(
            contract, EventExpressions.forStream(EventStream.BEHAVIOUR), expressionErrors);

    List<FeatureInput> zeroLength = inputs.inputsFor(play("e1", 1_000, 0L));
    List<FeatureInput> absentLength = inputs.inputsFor(play("e2", 1_000, null));
    List<FeatureInput> valid = inputs.inputsFor(play("e3", 3_000, 1_000L));

    assertThat(expressionErrors.getCount()).as("only the zero length fails").isEqualTo(1);
    assertThat(zeroLength).singleElement().satisfies(input -> assertCountedOnly(input));
    assertThat(absentLength).singleElement().satisfies(input -> assertCountedOnly(input));
    assertThat(valid)
        .singleElement()
        .satisfies(input -> assertThat(input.inputs).containsExactly(1, 3));
  }

  private static void assertCountedOnly(FeatureInput input) {
    assertThat(input.inputs[0]).isEqualTo(1);
    assertThat(input.inputs[1]).isNaN();
  }

  private Contract load(String yaml) throws IOException {
    Path file = dir.resolve("contract.yaml");
    Files.writeString(file, yaml);
    return new ContractLoader().loadFiles(List.of(file)).get(0);
  }

  private static BehaviourEvent play(String eventId, long playedMs, Long songMs) {
    BehaviourEvent event = new BehaviourEvent();
    event.eventId = eventId;
    event.userId = "user-1";
    event.action = "play";
    event.playedMs = playedMs;
    event.songMs = songMs;
    event.ts = 1_767_225_600_000L;
    return event;
  }
}
