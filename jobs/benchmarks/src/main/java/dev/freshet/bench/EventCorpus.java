package dev.freshet.bench;

import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.localstack.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The seeded events every scenario reads: produced once, before any scenario, into topics of their
 * own. Each scenario then reads them from the earliest offset under a consumer group of its own, so
 * all of them see the very same records.
 *
 * <p>Event time starts at a fixed instant and advances at {@link #EVENT_TIME_RATE} listener actions
 * per second of event time, independent of how fast anything runs, so windows, tiles and rows are
 * the same in every run. Users, songs and the rates are those of the local run ({@code featurectl
 * run}): 500 users, 2,000 songs, file observations at 40 % of the action rate.
 *
 * @param behaviourTopic the listener actions
 * @param fileTopic the file observations
 * @param behaviourOnlyFileTopic an empty file topic, for scenarios on behaviour contracts alone
 * @param deadLetterTopic where every job run puts its dead letters (the broker does not create
 *     topics on a producer's first send)
 * @param behaviourRecords the measured records in the behaviour topic
 * @param fileRecords the measured records in the file topic
 * @param lastEventTime the event time of the last measured listener action; a tail of {@link
 *     #TAIL_MILLIS} of event time follows it, so that a job's watermark can pass it
 */
record EventCorpus(
    String behaviourTopic,
    String fileTopic,
    String behaviourOnlyFileTopic,
    String deadLetterTopic,
    long behaviourRecords,
    long fileRecords,
    long lastEventTime) {

  /** Listener actions per second of event time, as {@code featurectl run} sends them. */
  static final int EVENT_TIME_RATE = 500;

  static final long START_MILLIS = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

  static final int PARTITIONS = 2;

  private static final String BEHAVIOUR_TOPIC = "bench-behaviour";
  private static final String FILE_TOPIC = "bench-file";
  private static final String EMPTY_FILE_TOPIC = "bench-file-empty";
  private static final String DEAD_LETTER_TOPIC = "bench-dead-letters";

  /**
   * Event time produced after the measured records: a watermark trails the latest event time by the
   * out-of-orderness (1 s), device clock jitter (up to 0.5 s) and, for file events, the rename
   * timeout (1 s), so only later events carry it past the measured ones.
   */
  static final long TAIL_MILLIS = 5_000;

  long totalRecords() {
    return behaviourRecords + fileRecords;
  }

  /** Event time spanned by the measured records. */
  long eventTimeSpanMillis() {
    return lastEventTime - START_MILLIS;
  }

  /**
   * Produces about {@code records} measured records (listener actions and file observations
   * together) from a generator seeded with {@code seed}, then the tail.
   */
  static EventCorpus produce(
      String bootstrapServers, long records, long seed, double malformedShare) {
    Topics.createIfMissing(
        bootstrapServers,
        Map.of(
            BEHAVIOUR_TOPIC, PARTITIONS,
            FILE_TOPIC, PARTITIONS,
            EMPTY_FILE_TOPIC, PARTITIONS,
            DEAD_LETTER_TOPIC, 1),
        Duration.ofSeconds(60));
    EventGenerator generator =
        EventGenerator.builder()
            .seed(seed)
            .fileObservationsPerSecond(EVENT_TIME_RATE * 2 / 5)
            .keepFileTruth(false)
            .malformedShare(malformedShare)
            .build();
    long behaviour = 0;
    long file = 0;
    long lastEventTime = START_MILLIS;
    long tailEnd = Long.MAX_VALUE;
    try (KafkaProducer<String, byte[]> producer = producer(bootstrapServers)) {
      for (long action = 0; ; action++) {
        long eventTime = START_MILLIS + action * 1000 / EVENT_TIME_RATE;
        boolean measured = behaviour + file < records;
        if (measured) {
          lastEventTime = eventTime;
        } else if (tailEnd == Long.MAX_VALUE) {
          tailEnd = eventTime + TAIL_MILLIS;
        } else if (eventTime >= tailEnd) {
          break;
        }
        for (GeneratedRecord record : generator.next(eventTime)) {
          boolean isBehaviour = record.stream() == EventStream.BEHAVIOUR;
          String topic = isBehaviour ? BEHAVIOUR_TOPIC : FILE_TOPIC;
          producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
          if (measured && isBehaviour) {
            behaviour++;
          } else if (measured) {
            file++;
          }
        }
      }
      producer.flush();
    }
    return new EventCorpus(
        BEHAVIOUR_TOPIC,
        FILE_TOPIC,
        EMPTY_FILE_TOPIC,
        DEAD_LETTER_TOPIC,
        behaviour,
        file,
        lastEventTime);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
