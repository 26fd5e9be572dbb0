package dev.freshet.testsupport;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record read by {@link KafkaRecords}. Key and value are the raw bytes (either may be null).
 * Being arrays, they make {@code equals} compare by identity: compare {@link #valueAsString()} or
 * the arrays' contents instead.
 */
public record ConsumedRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    Headers headers) {

  static ConsumedRecord of(ConsumerRecord<byte[], byte[]> record) {
    return new ConsumedRecord(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp(),
        record.key(),
        record.value(),
        record.headers());
  }

  /** The key as UTF-8 text, or null. */
  public String keyAsString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The value as UTF-8 text, or null for a tombstone. */
  public String valueAsString() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** The value of the last header named {@code name} as UTF-8 text, or null if there is none. */
  public String headerAsString(String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
