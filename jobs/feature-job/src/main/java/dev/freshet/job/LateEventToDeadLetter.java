package dev.freshet.job;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.freshet.events.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Makes a late event visible in the dead-letter topic rather than dropping it. The original bytes
 * are gone by now; the value names the contract, entity, event time and the watermark that made the
 * event late instead.
 */
public class LateEventToDeadLetter implements MapFunction<LateEvent, DeadLetter> {

  @Override
  public DeadLetter map(LateEvent lateEvent) {
    FeatureInput late = lateEvent.input;
    String value =
        "{\"contract\":\""
            + late.contract
            + "\",\"entity_key\":\""
            + escape(late.entityKey)
            + "\",\"event_time\":"
            + late.eventTime
            + ",\"watermark\":"
            + lateEvent.watermark
            + "}";
    return new DeadLetter(
        "",
        -1,
        -1,
        DeadLetterReason.LATE_EVENT.code(),
        (lateEvent.watermark - late.eventTime)
            + " ms behind the watermark, more than the allowed lateness of "
            + late.contract,
        late.entityKey.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  /** JSON string escaping: entity keys of several fields hold a control character between them. */
  private static String escape(String text) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(text));
  }
}
