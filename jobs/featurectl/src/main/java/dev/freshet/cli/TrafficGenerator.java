package dev.freshet.cli;

import dev.freshet.events.EventGenerator;
import dev.freshet.events.GeneratedRecord;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces generated events to Kafka, stamped with the current time, the way apps and agents would:
 * listener actions at a steady rate, each followed by the file observations that have arrived by
 * then, which flow at the generator's own rate (event time here is wall-clock time). Runs on its
 * own thread until closed.
 */
final class TrafficGenerator implements Runnable, AutoCloseable {

  private static final long TICK_MILLIS = 20;

  private final KafkaProducer<String, byte[]> producer;
  private final EventGenerator generator;
  private final int actionsPerSecond;
  private final String behaviourTopic;
  private final String fileTopic;
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  TrafficGenerator(
      String bootstrapServers,
      EventGenerator generator,
      int actionsPerSecond,
      String behaviourTopic,
      String fileTopic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.generator = generator;
    this.actionsPerSecond = actionsPerSecond;
    this.behaviourTopic = behaviourTopic;
    this.fileTopic = fileTopic;
    this.thread = new Thread(this, "traffic-generator");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  long produced() {
    return produced.get();
  }

  long malformed() {
    return malformed.get();
  }

  @Override
  public void run() {
    long started = System.currentTimeMillis();
    long actions = 0;
    while (running) {
      long now = System.currentTimeMillis();
      long due = (now - started) * actionsPerSecond / 1000;
      for (; actions < due && running; actions++) {
        for (GeneratedRecord record : generator.next(now)) {
          String topic =
              record.stream().sourceName().equals("behaviour") ? behaviourTopic : fileTopic;
          producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
          produced.incrementAndGet();
          if (record.malformed()) {
            malformed.incrementAndGet();
          }
        }
      }
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    producer.close();
  }
}
