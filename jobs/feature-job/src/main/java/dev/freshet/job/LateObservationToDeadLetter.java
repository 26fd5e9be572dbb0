package dev.freshet.job;

import dev.freshet.events.DeadLetterReason;
import dev.freshet.events.EventJson;
import dev.freshet.events.FileEvent;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Makes a file observation the normalizer could no longer place in its file's history visible in
 * the dead-letter topic: the value is the observation re-encoded as the JSON agents send.
 */
public class LateObservationToDeadLetter implements MapFunction<FileEvent, DeadLetter> {

  @Override
  public DeadLetter map(FileEvent late) {
    return new DeadLetter(
        "",
        -1,
        -1,
        DeadLetterReason.LATE_EVENT.code(),
        "at or behind the watermark: the change it belongs to may be judged already",
        late.host.getBytes(StandardCharsets.UTF_8),
        EventJson.encode(late));
  }
}
