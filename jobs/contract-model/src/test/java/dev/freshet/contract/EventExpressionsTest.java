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
}
