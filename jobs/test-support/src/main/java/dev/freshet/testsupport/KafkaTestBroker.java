package dev.freshet.testsupport;

import dev.freshet.localstack.KafkaBrokerProcess;
import dev.freshet.localstack.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The one real Kafka broker of a test JVM, shared by all test classes, started on first use and
 * stopped when the JVM exits.
 *
 * <p>With a Docker engine it is a Testcontainers {@code apache/kafka} container; without one it is
 * a {@link KafkaBrokerProcess}. The system property {@value #MODE_PROPERTY} ({@code auto}, {@code
 * container} or {@code process}) forces a choice, e.g. to reproduce CI (no Docker) on a laptop that
 * has Docker.
 *
 * <p>Tests share the broker, so each should use topics of its own: see {@link
 * #createUniqueTopic(String, int)}.
 */
public final class KafkaTestBroker {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTestBroker.class);

  public static final String KAFKA_IMAGE = "apache/kafka:4.2.0";
  public static final String MODE_PROPERTY = "freshet.test.kafka";
  public static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  private static KafkaTestBroker shared;
  private static RuntimeException sharedStartFailure;

  private final String bootstrapServers;
  private final String description;

  private KafkaTestBroker(String bootstrapServers, String description) {
    this.bootstrapServers = bootstrapServers;
    this.description = description;
  }

  /**
   * The broker of this JVM, started by the first call. A failed start is remembered, so that every
   * later test class fails fast with the same cause instead of waiting again.
   */
  public static synchronized KafkaTestBroker shared() {
    if (shared == null && sharedStartFailure == null) {
      try {
        shared = start();
        LOG.info("Tests use {} at {}", shared.description, shared.bootstrapServers);
      } catch (RuntimeException e) {
        sharedStartFailure = e;
      }
    }
    if (sharedStartFailure != null) {
      throw new IllegalStateException(
          "The shared Kafka test broker failed to start", sharedStartFailure);
    }
    return shared;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Which kind of broker this is and where it runs, for logs and messages. */
  public String description() {
    return description;
  }

  /** Creates the topics that do not exist yet (name to partitions) and waits until usable. */
  public void createTopics(Map<String, Integer> partitionsByTopic) {
    Topics.createIfMissing(bootstrapServers, partitionsByTopic, TOPIC_TIMEOUT);
  }

  /** Creates a topic named {@code prefix} plus a random suffix and returns its name. */
  public String createUniqueTopic(String prefix, int partitions) {
    String name = prefix + "-" + UUID.randomUUID();
    createTopics(Map.of(name, partitions));
    return name;
  }

  private static KafkaTestBroker start() {
    return switch (TestServerMode.chosenBy(MODE_PROPERTY, "Kafka broker")) {
      case CONTAINER -> startContainer();
      case PROCESS -> startProcess();
    };
  }

  private static KafkaTestBroker startContainer() {
    KafkaContainer container =
        new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            // The same rules as the local broker process, so tests behave alike on both.
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "kafka-test-container-stop"));
    return new KafkaTestBroker(
        container.getBootstrapServers(), "a Kafka container (" + KAFKA_IMAGE + ")");
  }

  private static KafkaTestBroker startProcess() {
    Path workDir = ServerWorkDirs.create("freshet-test-kafka-");
    KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir);
    ServerWorkDirs.stopAndDeleteAtExit(broker::close, workDir, "kafka-test-broker-stop");
    return new KafkaTestBroker(
        broker.bootstrapServers(),
        "a local Kafka broker process (pid "
            + broker.processHandle().pid()
            + ", log "
            + broker.logFile()
            + ")");
  }
}
