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

  private final long dedupWindowMillis;

  public LateObservationToDeadLetter(long dedupWindowMillis) {
    this.dedupWindowMillis = dedupWindowMillis;
  }

  @Override
  public DeadLetter map(FileEvent late) {
    return new DeadLetter(
        "",
        -1,
        -1,
        DeadLetterReason.LATE_EVENT.code(),
        "behind the watermark by more than the dedup window of "
            + dedupWindowMillis
            + " ms; later changes of its file were already judged",
        late.host.getBytes(StandardCharsets.UTF_8),
        EventJson.encode(late));
  }
}
