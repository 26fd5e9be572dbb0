package dev.freshet.job;

import dev.freshet.events.DecodeResult;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventStream;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes Kafka records of one stream; a record that does not decode becomes a dead letter. */
public class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {

  private final EventStream stream;
  private transient EventDecoder decoder;

  public KafkaEventDeserializer(EventStream stream) {
    this.stream = stream;
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
    if (result instanceof DecodeResult.Decoded decoded) {
      out.collect(DecodedRecord.of(decoded.event()));
    } else {
      DecodeResult.Failed failed = (DecodeResult.Failed) result;
      out.collect(
          DecodedRecord.of(
              new DeadLetter(
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  failed.reason().code(),
                  failed.detail(),
                  record.key(),
                  record.value())));
    }
  }

  @Override
  public TypeInformation<DecodedRecord> getProducedType() {
    return TypeInformation.of(DecodedRecord.class);
  }
}
