package dev.freshet.job;

import dev.freshet.events.Event;
import dev.freshet.events.EventStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parts what a source decoded into its events and its dead letters, which go to {@link
 * #DEAD_LETTERS}. Counts the events in {@value #ACCEPTED_EVENTS} of the group {@value #STREAM}:
 * with the dead letters' counter, every record read is accounted for.
 *
 * @param <E> the event type of the source's stream
 */
public class DeadLetterSplit<E extends Event> extends ProcessFunction<DecodedRecord, E> {

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  static final String STREAM = "stream";
  static final String ACCEPTED_EVENTS = "acceptedEvents";

  private final String streamName;
  private transient Counter accepted;

  public DeadLetterSplit(EventStream stream) {
    this.streamName = stream.sourceName();
  }

  @Override
  public void open(OpenContext openContext) {
    accepted =
        getRuntimeContext().getMetricGroup().addGroup(STREAM, streamName).counter(ACCEPTED_EVENTS);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(DecodedRecord record, Context ctx, Collector<E> out) {
    if (record.deadLetter == null) {
      accepted.inc();
      out.collect((E) record.event());
      return;
    }
    ctx.output(DEAD_LETTERS, record.deadLetter);
  }
}
