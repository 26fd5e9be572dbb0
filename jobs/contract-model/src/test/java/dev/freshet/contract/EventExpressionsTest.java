package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.events.EventStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventExpressionsTest {

  private final EventExpressions behaviour = EventExpressions.forStream(EventStream.BEHAVIOUR);

  @Test
  void oneExpressionTextIsCompiledIntoOneProgram() {
    assertThat(behaviour.program("action == 'play'"))
        .isSameAs(behaviour.program("action == 'play'"))
        .isNotSameAs(behaviour.program("action == 'skip'"));
  }

  @Test
  void anotherEventsFieldsAreEvaluatedAfresh() {
    EventExpressions.Program played = behaviour.program("played_ms * 2");
    Map<String, Object> first = new HashMap<>(Map.of("played_ms", 10L));
    Map<String, Object> second = new HashMap<>(Map.of("played_ms", 25L));

    assertThat(played.number(first)).isEqualTo(20.0);
    assertThat(played.number(first)).isEqualTo(20.0);
    assertThat(played.number(second)).isEqualTo(50.0);
    assertThat(played.number(Map.of())).isNaN();
    assertThat(played.number(first)).isEqualTo(20.0);
  }

  @Test
  void aFailedEvaluationIsNoValueAndSaysWhy() {
    EventExpressions.Program perSecond = behaviour.program("played_ms / song_ms");
    Map<String, Object> zeroLength = new HashMap<>(Map.of("played_ms", 10L, "song_ms", 0L));
    Map<String, Object> absentLength = new HashMap<>(Map.of("played_ms", 10L));
    Map<String, Object> valid = new HashMap<>(Map.of("played_ms", 10L, "song_ms", 5L));

    assertThat(perSecond.failureOn(zeroLength)).as("before it ran").isEmpty();
    assertThat(perSecond.number(zeroLength)).isNaN();
    assertThat(perSecond.failureOn(zeroLength))
        .hasValueSatisfying(reason -> assertThat(reason).contains("/ by zero"));
    assertThat(perSecond.failureOn(valid)).as("fields it has not run on").isEmpty();

    assertThat(perSecond.number(absentLength)).isNaN();
    assertThat(perSecond.failureOn(absentLength)).as("an absent field is no failure").isEmpty();
    assertThat(perSecond.number(valid)).isEqualTo(2.0);
    assertThat(perSecond.failureOn(valid)).isEmpty();
  }
}
