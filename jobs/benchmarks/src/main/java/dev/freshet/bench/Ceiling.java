package dev.freshet.bench;

import dev.freshet.events.DecodeResult;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling: what one consumer thread gets out of the broker when all it does is decode each
 * record with the job's own decoder. No Flink, no state, no sink; the job can only be slower.
 */
final class Ceiling {

  private Ceiling() {}

  /** Reads every record of the corpus once and decodes it. */
  static Progress run(String bootstrapServers, EventCorpus corpus, MeasuredSpan span) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    EventDecoder behaviour = new EventDecoder(EventStream.BEHAVIOUR);
    EventDecoder file = new EventDecoder(EventStream.FILE);
    long total = corpus.totalRecords();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(corpus.behaviourTopic(), corpus.fileTopic())) {
        for (PartitionInfo partition : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, partition.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Progress progress = Progress.start(total, span);
      long consumed = 0;
      long decoded = 0;
      while (consumed < total) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          EventDecoder decoder = record.topic().equals(corpus.behaviourTopic()) ? behaviour : file;
          if (decoder.decode(record.value()) instanceof DecodeResult.Decoded) {
            decoded++;
          }
          consumed++;
        }
        progress.sample(consumed);
      }
      if (decoded == 0) {
        throw new IllegalStateException("the ceiling decoded none of " + consumed + " records");
      }
      return progress;
    }
  }
}
