package dev.freshet.job;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as the original key and bytes, with why and where from in headers, the
 * layout Kafka Connect's dead-letter queues use, so existing tools can replay it.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

  public static final String REASON_HEADER = "freshet.dlq.reason";
  public static final String DETAIL_HEADER = "freshet.dlq.detail";
  public static final String TOPIC_HEADER = "freshet.dlq.source.topic";
  public static final String PARTITION_HEADER = "freshet.dlq.source.partition";
  public static final String OFFSET_HEADER = "freshet.dlq.source.offset";

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON_HEADER, utf8(deadLetter.reason));
    headers.add(DETAIL_HEADER, utf8(deadLetter.detail));
    headers.add(TOPIC_HEADER, utf8(deadLetter.sourceTopic));
    headers.add(PARTITION_HEADER, utf8(Integer.toString(deadLetter.partition)));
    headers.add(OFFSET_HEADER, utf8(Long.toString(deadLetter.offset)));
    return new ProducerRecord<>(topic, null, null, deadLetter.key, deadLetter.value, headers);
  }

  private static byte[] utf8(String text) {
    return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
  }
}
