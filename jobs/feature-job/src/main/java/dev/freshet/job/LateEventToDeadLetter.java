package dev.freshet.job;

import dev.freshet.events.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Makes a late event visible in the dead-letter topic rather than dropping it. The original bytes
 * are gone by now; the value names the contract, entity and event time instead.
 */
public class LateEventToDeadLetter implements MapFunction<FeatureInput, DeadLetter> {

  @Override
  public DeadLetter map(FeatureInput late) {
    String value =
        "{\"contract\":\""
            + late.contract
            + "\",\"entity_key\":\""
            + escape(late.entityKey)
            + "\",\"event_time\":"
            + late.eventTime
            + "}";
    return new DeadLetter(
        "",
        -1,
        -1,
        DeadLetterReason.LATE_EVENT.code(),
        "behind the watermark by more than the allowed lateness of " + late.contract,
        late.entityKey.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
