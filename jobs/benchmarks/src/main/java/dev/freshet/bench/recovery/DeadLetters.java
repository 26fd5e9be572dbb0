package dev.freshet.bench.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.events.DeadLetterReason;
import dev.freshet.job.DeadLetterSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The committed dead letters of a topic: counted by the reason the job gave, late ones measured.
 */
public final class DeadLetters {

  /**
   * A contract's late events: how many, how far behind the watermark they were (median and most),
   * and the span of their event times.
   */
  public record Late(
      String contract,
      long count,
      long medianBehindMillis,
      long mostBehindMillis,
      long firstEventTime,
      long lastEventTime) {}

  private DeadLetters() {}

  public static Map<String, Long> byReason(String bootstrapServers, String topic) {
    Map<String, Long> counts = new TreeMap<>();
    forEach(bootstrapServers, topic, record -> counts.merge(reason(record), 1L, Long::sum));
    return counts;
  }

  /** The late events of each contract, from the values the job writes for them. */
  public static List<Late> lateByContract(String bootstrapServers, String topic) {
    ObjectMapper json = new ObjectMapper();
    Map<String, List<long[]>> byContract = new TreeMap<>();
    forEach(
        bootstrapServers,
        topic,
        record -> {
          if (!DeadLetterReason.LATE_EVENT.code().equals(reason(record))) {
            return;
          }
          try {
            JsonNode value = json.readTree(record.value());
            if (value.has("watermark")) {
              long eventTime = value.get("event_time").asLong();
              byContract
                  .computeIfAbsent(value.get("contract").asText(), c -> new ArrayList<>())
                  .add(new long[] {value.get("watermark").asLong() - eventTime, eventTime});
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    List<Late> late = new ArrayList<>();
    byContract.forEach(
        (contract, events) -> {
          long[] behind = events.stream().mapToLong(e -> e[0]).sorted().toArray();
          LongSummaryStatistics times = events.stream().mapToLong(e -> e[1]).summaryStatistics();
          late.add(
              new Late(
                  contract,
                  behind.length,
                  behind[behind.length / 2],
                  behind[behind.length - 1],
                  times.getMin(),
                  times.getMax()));
        });
    return late;
  }

  private static String reason(ConsumerRecord<byte[], byte[]> record) {
    Header reason = record.headers().lastHeader(DeadLetterSerializer.REASON_HEADER);
    return reason == null ? "none" : new String(reason.value(), StandardCharsets.UTF_8);
  }

  private static void forEach(
      String bootstrapServers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> action) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo partition : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, partition.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end in a minute");
        }
        consumer.poll(Duration.ofMillis(500)).forEach(action);
      }
    }
  }
}
