package dev.freshet.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records to and reads records from a real broker in tests.
 *
 * <p>Writes are synchronous with {@code acks=all}. Reads start at the beginning of every partition
 * of the topic, use no consumer group and are {@code read_committed}: records of open or aborted
 * transactions are never returned, as for the platform's own consumers.
 */
public final class KafkaRecords {

  public static final Duration PRODUCE_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration MAX_POLL = Duration.ofMillis(100);
  private static final int VALUES_SHOWN_ON_FAILURE = 20;

  private KafkaRecords() {}

  /** Sends the records and returns once the broker has acknowledged all of them. */
  public static void produce(
      String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records) {
    Deadline deadline = Deadline.after(PRODUCE_TIMEOUT);
    try (KafkaProducer<byte[], byte[]> producer = newProducer(bootstrapServers)) {
      List<Future<RecordMetadata>> acknowledgements = records.stream().map(producer::send).toList();
      producer.flush();
      for (Future<RecordMetadata> acknowledgement : acknowledgements) {
        acknowledgement.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka rejected a record: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not acknowledge " + records.size() + " records within " + PRODUCE_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while producing to Kafka", e);
    }
  }

  /** Sends values without keys or headers to {@code topic}. */
  public static void produceValues(String bootstrapServers, String topic, List<byte[]> values) {
    produce(
        bootstrapServers,
        values.stream().map(value -> new ProducerRecord<byte[], byte[]>(topic, value)).toList());
  }

  /** Sends UTF-8 encoded values without keys or headers to {@code topic}. */
  public static void produceStrings(String bootstrapServers, String topic, List<String> values) {
    produceValues(
        bootstrapServers,
        topic,
        values.stream().map(value -> value.getBytes(StandardCharsets.UTF_8)).toList());
  }

  /**
   * Reads {@code topic} from the beginning until the records read so far satisfy {@code done}, and
   * returns them.
   *
   * @param description what {@code done} expects, for the failure message
   * @throws AssertionError if {@code done} is not satisfied within {@code timeout}
   */
  public static List<ConsumedRecord> consumeUntil(
      String bootstrapServers,
      String topic,
      String description,
      Duration timeout,
      Predicate<List<ConsumedRecord>> done) {
    Deadline deadline = Deadline.after(timeout);
    List<ConsumedRecord> consumed = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer(bootstrapServers)) {
      assignFromBeginning(consumer, topic, deadline);
      while (!done.test(Collections.unmodifiableList(consumed))) {
        if (deadline.hasPassed()) {
          throw new AssertionError(
              "Timed out after "
                  + timeout
                  + " reading "
                  + topic
                  + " until "
                  + description
                  + "; read "
                  + consumed.size()
                  + " records: "
                  + preview(consumed));
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(shortPoll(deadline))) {
          consumed.add(ConsumedRecord.of(record));
        }
      }
    }
    return consumed;
  }

  /** Reads {@code topic} from the beginning until at least {@code count} records were read. */
  public static List<ConsumedRecord> consumeAtLeast(
      String bootstrapServers, String topic, int count, Duration timeout) {
    return consumeUntil(
        bootstrapServers,
        topic,
        "at least " + count + " records",
        timeout,
        records -> records.size() >= count);
  }

  /**
   * Reads every record that {@code topic} holds now, up to the end offsets (for transactional
   * writes, the last stable offsets) seen when reading starts.
   *
   * @throws AssertionError if those records cannot be read within {@code timeout}
   */
  public static List<ConsumedRecord> readAll(
      String bootstrapServers, String topic, Duration timeout) {
    Deadline deadline = Deadline.after(timeout);
    List<ConsumedRecord> consumed = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer(bootstrapServers)) {
      List<TopicPartition> partitions = assignFromBeginning(consumer, topic, deadline);
      Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, deadline.remaining());
      while (!reachedEnd(consumer, endOffsets)) {
        if (deadline.hasPassed()) {
          throw new AssertionError(
              "Timed out after " + timeout + " reading " + topic + " up to offsets " + endOffsets);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(shortPoll(deadline))) {
          consumed.add(ConsumedRecord.of(record));
        }
      }
    }
    return consumed;
  }

  private static boolean reachedEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> endOffsets) {
    try {
      return endOffsets.entrySet().stream()
          .allMatch(end -> consumer.position(end.getKey(), MAX_POLL) >= end.getValue());
    } catch (org.apache.kafka.common.errors.TimeoutException positionNotYetKnown) {
      // The next poll looks the position up.
      return false;
    }
  }

  private static List<TopicPartition> assignFromBeginning(
      KafkaConsumer<byte[], byte[]> consumer, String topic, Deadline deadline) {
    List<PartitionInfo> partitionInfos = consumer.partitionsFor(topic, deadline.remaining());
    while (partitionInfos.isEmpty()) {
      if (deadline.hasPassed()) {
        throw new AssertionError(
            "Topic " + topic + " does not exist after " + deadline.timeout() + "; create it first");
      }
      Await.pause(Await.POLL_INTERVAL);
      partitionInfos = consumer.partitionsFor(topic, deadline.remaining());
    }
    List<TopicPartition> partitions =
        partitionInfos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }

  private static Duration shortPoll(Deadline deadline) {
    Duration remaining = deadline.remaining();
    return remaining.compareTo(MAX_POLL) < 0 ? remaining : MAX_POLL;
  }

  private static String preview(List<ConsumedRecord> records) {
    String shown =
        records.stream()
            .limit(VALUES_SHOWN_ON_FAILURE)
            .map(ConsumedRecord::valueAsString)
            .collect(Collectors.joining(", ", "[", ""));
    return shown + (records.size() > VALUES_SHOWN_ON_FAILURE ? ", ...]" : "]");
  }

  private static KafkaProducer<byte[], byte[]> newProducer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.ACKS_CONFIG,
            "all",
            // A missing topic fails the send after this, instead of after the default minute.
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            (int) PRODUCE_TIMEOUT.toMillis()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> newConsumer(String bootstrapServers) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
