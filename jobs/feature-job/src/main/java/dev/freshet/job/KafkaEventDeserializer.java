package dev.freshet.job;

import dev.freshet.events.DeadLetterReason;
import dev.freshet.events.DecodeResult;
import dev.freshet.events.Event;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventStream;
import java.time.Duration;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records of one stream. A record that does not decode becomes a dead letter, and so
 * does an event from further in the future than {@code maxEventTimeAhead} by the job's clock: it
 * would carry the watermark along and make every event after it late.
 */
public class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {

  private final EventStream stream;
  private final long maxEventTimeAheadMillis;
  private transient EventDecoder decoder;

  public KafkaEventDeserializer(EventStream stream, Duration maxEventTimeAhead) {
    this.stream = stream;
    this.maxEventTimeAheadMillis = maxEventTimeAhead.toMillis();
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    decoder = new EventDecoder(stream);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
    if (decoder == null) {
      decoder = new EventDecoder(stream);
    }
    DecodeResult result = decoder.decode(record.value());
    if (result instanceof DecodeResult.Failed failed) {
      out.collect(deadLetter(record, failed.reason(), failed.detail()));
      return;
    }
    Event event = ((DecodeResult.Decoded) result).event();
    long aheadMillis = event.eventTime() - System.currentTimeMillis();
    if (aheadMillis > maxEventTimeAheadMillis) {
      out.collect(
          deadLetter(
              record,
              DeadLetterReason.INVALID_VALUE,
              "ts: "
                  + aheadMillis
                  + " ms ahead of the job's clock, more than the "
                  + maxEventTimeAheadMillis
                  + " ms allowed"));
      return;
    }
    out.collect(DecodedRecord.of(event));
  }

  private static DecodedRecord deadLetter(
      ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String detail) {
    return DecodedRecord.of(
        new DeadLetter(
            record.topic(),
            record.partition(),
            record.offset(),
            reason.code(),
            detail,
            record.key(),
            record.value()));
  }

  @Override
  public TypeInformation<DecodedRecord> getProducedType() {
    return TypeInformation.of(DecodedRecord.class);
  }
}
