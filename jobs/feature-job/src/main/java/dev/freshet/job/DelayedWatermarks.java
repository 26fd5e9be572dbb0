package dev.freshet.job;

import java.time.Duration;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Forwards records unchanged, stamped with their event time, and holds watermarks back by a fixed
 * delay. Placed after an operator that emits a record up to that delay after the watermark passed
 * its event time (the file-event normalizer waits for the partners of an observation), it makes
 * those records on time again for the windows downstream. The final watermark passes unchanged.
 */
final class DelayedWatermarks<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T> {

  /** The event time of a record, by which it is stamped for downstream operators. */
  interface EventTime<T> extends java.io.Serializable {
    long of(T record);
  }

  private final long delayMillis;
  private final EventTime<T> eventTime;

  DelayedWatermarks(Duration delay, EventTime<T> eventTime) {
    this.delayMillis = delay.toMillis();
    this.eventTime = eventTime;
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    output.collect(element.replace(element.getValue(), eventTime.of(element.getValue())));
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    long time = mark.getTimestamp();
    if (time == Long.MAX_VALUE) {
      super.processWatermark(mark);
    } else {
      super.processWatermark(
          new Watermark(Math.max(Long.MIN_VALUE + delayMillis, time) - delayMillis));
    }
  }
}
