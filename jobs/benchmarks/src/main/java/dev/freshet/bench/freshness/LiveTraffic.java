package dev.freshet.bench.freshness;

import dev.freshet.events.DecodeResult;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.localstack.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Events produced as they happen: event time is the wall clock, the rate is fixed, and each
 * record's broker append time is noted in {@link ReadyTimes}. The topics stamp records with the
 * broker's append time ({@code LogAppendTime}), so "appended" is the broker's word, not the
 * producer's.
 *
 * @param behaviourTopic listener actions
 * @param fileTopic file observations
 */
public record LiveTraffic(String behaviourTopic, String fileTopic) {

  private static final int PARTITIONS = 2;

  /** File observations per listener action, as in the local run and the corpus. */
  private static final double FILE_SHARE_OF_ACTIONS = 0.4;

  /** The generator's most: above it, listener actions make up the rate. */
  private static final int MAX_FILE_OBSERVATIONS_PER_SECOND = 1000;

  /** Creates two topics no run used before, stamped with append times. */
  public static LiveTraffic createTopics(String bootstrapServers, String prefix) {
    LiveTraffic traffic = new LiveTraffic(prefix + "-behaviour", prefix + "-file");
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Map<String, String> appendTime =
          Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
      admin
          .createTopics(
              List.of(
                  new NewTopic(traffic.behaviourTopic, PARTITIONS, (short) 1).configs(appendTime),
                  new NewTopic(traffic.fileTopic, PARTITIONS, (short) 1).configs(appendTime)))
          .all()
          .get(60, TimeUnit.SECONDS);
      Topics.createIfMissing(
          admin,
          Map.of(traffic.behaviourTopic, PARTITIONS, traffic.fileTopic, PARTITIONS),
          Duration.ofSeconds(60));
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the live topics " + traffic, e);
    }
    return traffic;
  }

  /**
   * Starts producing at {@code recordsPerSecond} (both streams together) on a thread of its own,
   * until {@link Producing#stop()}. Malformed records go out too, at the corpus' share; they never
   * move a watermark, so they are not noted in {@code ready}.
   *
   * @param behaviourLagMillis how far the job's watermark trails listener actions' event time
   * @param fileLagMillis how far it trails file observations' event time
   */
  public Producing start(
      String bootstrapServers,
      double recordsPerSecond,
      long seed,
      ReadyTimes ready,
      long behaviourLagMillis,
      long fileLagMillis) {
    for (int partition = 0; partition < PARTITIONS; partition++) {
      ready.expect(behaviourTopic, partition, behaviourLagMillis);
      ready.expect(fileTopic, partition, fileLagMillis);
    }
    Producing producing = new Producing();
    producing.thread =
        new Thread(
            () -> producing.run(this, bootstrapServers, recordsPerSecond, seed, ready),
            "live-traffic");
    producing.thread.start();
    return producing;
  }

  /** Traffic being produced. */
  public static final class Producing {
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long startNanos = System.nanoTime();
    private volatile long sent;
    private volatile long stoppedNanos;
    private Thread thread;

    /**
     * Stops producing once every record sent was acknowledged.
     *
     * @return records sent per second of production
     * @throws IllegalStateException when producing failed
     */
    public double stop() throws InterruptedException {
      stopping.set(true);
      thread.join();
      if (failure.get() != null) {
        throw new IllegalStateException("producing live traffic failed", failure.get());
      }
      return sent * 1e9 / (stoppedNanos - startNanos);
    }

    private void run(
        LiveTraffic topics,
        String bootstrapServers,
        double recordsPerSecond,
        long seed,
        ReadyTimes ready) {
      int filesPerSecond =
          (int)
              Math.max(
                  1,
                  Math.min(
                      MAX_FILE_OBSERVATIONS_PER_SECOND,
                      Math.round(
                          recordsPerSecond * FILE_SHARE_OF_ACTIONS / (1 + FILE_SHARE_OF_ACTIONS))));
      double actionsPerSecond = recordsPerSecond - filesPerSecond;
      EventGenerator generator =
          EventGenerator.builder()
              .seed(seed)
              .fileObservationsPerSecond(filesPerSecond)
              .keepFileTruth(false)
              .malformedShare(0.002)
              .build();
      EventDecoder behaviourDecoder = new EventDecoder(EventStream.BEHAVIOUR);
      EventDecoder fileDecoder = new EventDecoder(EventStream.FILE);
      try (KafkaProducer<String, byte[]> producer = producer(bootstrapServers)) {
        for (long action = 0; !stopping.get() && failure.get() == null; action++) {
          LockSupport.parkNanos(
              startNanos + (long) (action * 1e9 / actionsPerSecond) - System.nanoTime());
          for (GeneratedRecord record : generator.next(System.currentTimeMillis())) {
            boolean behaviour = record.stream() == EventStream.BEHAVIOUR;
            String topic = behaviour ? topics.behaviourTopic : topics.fileTopic;
            DecodeResult decoded =
                (behaviour ? behaviourDecoder : fileDecoder).decode(record.value());
            long eventTime =
                decoded instanceof DecodeResult.Decoded event
                    ? event.event().eventTime()
                    : Long.MIN_VALUE;
            producer.send(
                new ProducerRecord<>(topic, record.key(), record.value()),
                (metadata, exception) -> {
                  if (exception != null) {
                    failure.compareAndSet(null, exception);
                  } else if (eventTime != Long.MIN_VALUE) {
                    ready.appended(topic, metadata.partition(), eventTime, metadata.timestamp());
                  }
                });
            sent++;
          }
        }
        producer.flush();
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } finally {
        stoppedNanos = System.nanoTime();
      }
    }
  }

  /** A producer of records keyed by entity, acknowledged by every replica. */
  public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }
}
