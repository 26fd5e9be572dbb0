package dev.freshet.localstack;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates Kafka topics idempotently and waits until they can be used. */
public final class Topics {

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private Topics() {}

  /** Like {@link #createIfMissing(Admin, Map, Duration)}, with a client of its own. */
  public static void createIfMissing(
      String bootstrapServers, Map<String, Integer> partitionsByTopic, Duration timeout) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      createIfMissing(admin, partitionsByTopic, timeout);
    }
  }

  /**
   * Creates each topic that does not exist yet with the given number of partitions and the broker's
   * default replication factor, then waits until every partition of every topic has a leader.
   *
   * @throws IllegalStateException if a topic exists with another number of partitions, or the
   *     topics are not ready within {@code timeout}
   */
  public static void createIfMissing(
      Admin admin, Map<String, Integer> partitionsByTopic, Duration timeout) {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    List<NewTopic> newTopics =
        partitionsByTopic.entrySet().stream()
            .map(
                topic ->
                    new NewTopic(topic.getKey(), Optional.of(topic.getValue()), Optional.empty()))
            .toList();
    Map<String, KafkaFuture<Void>> creations = admin.createTopics(newTopics).values();
    for (Map.Entry<String, KafkaFuture<Void>> creation : creations.entrySet()) {
      try {
        awaitResult(creation.getValue(), deadlineNanos, "creating topic " + creation.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Cannot create topic " + creation.getKey(), e.getCause());
        }
      }
    }
    awaitLeaders(admin, partitionsByTopic, deadlineNanos, timeout);
  }

  private static void awaitLeaders(
      Admin admin, Map<String, Integer> partitionsByTopic, long deadlineNanos, Duration timeout) {
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            awaitResult(
                admin.describeTopics(partitionsByTopic.keySet()).allTopicNames(),
                deadlineNanos,
                "describing topics " + partitionsByTopic.keySet());
        rejectOtherPartitionCounts(partitionsByTopic, descriptions);
        if (descriptions.values().stream()
            .allMatch(topic -> topic.partitions().stream().allMatch(p -> p.leader() != null))) {
          return;
        }
      } catch (ExecutionException e) {
        // Metadata of a new topic reaches the broker shortly after the controller created it.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException(
              "Cannot describe topics " + partitionsByTopic.keySet(), e);
        }
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new IllegalStateException(
            "Topics " + partitionsByTopic.keySet() + " were not ready within " + timeout);
      }
      sleep(POLL_INTERVAL);
    }
  }

  private static void rejectOtherPartitionCounts(
      Map<String, Integer> partitionsByTopic, Map<String, TopicDescription> descriptions) {
    Map<String, String> mismatches = new TreeMap<>();
    descriptions.forEach(
        (name, description) -> {
          int wanted = partitionsByTopic.get(name);
          int actual = description.partitions().size();
          if (actual != wanted) {
            mismatches.put(name, actual + " partitions, wanted " + wanted);
          }
        });
    if (!mismatches.isEmpty()) {
      throw new IllegalStateException(
          "Topics exist with another number of partitions: "
              + mismatches
              + ". Delete them or change the requested partitions.");
    }
  }

  private static <T> T awaitResult(KafkaFuture<T> future, long deadlineNanos, String action)
      throws ExecutionException {
    try {
      return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer in time when " + action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + action, e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka topics", e);
    }
  }
}
