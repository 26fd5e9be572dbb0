package dev.freshet.job;

import dev.freshet.events.Event;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parts what a source decoded into its events and its dead letters, which go to {@link
 * #DEAD_LETTERS}.
 *
 * @param <E> the event type of the source's stream
 */
public class DeadLetterSplit<E extends Event> extends ProcessFunction<DecodedRecord, E> {

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(DecodedRecord record, Context ctx, Collector<E> out) {
    if (record.deadLetter == null) {
      out.collect((E) record.event());
      return;
    }
    ctx.output(DEAD_LETTERS, record.deadLetter);
  }
}
