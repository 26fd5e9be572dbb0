package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicsITCase {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path workDir;
  private static KafkaBrokerProcess broker;
  private static Admin admin;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBrokerProcess.start(workDir);
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    admin.close();
    broker.close();
  }

  @Test
  void createsMissingTopicsWithTheirPartitionsAndLeavesExistingOnesAlone() throws Exception {
    Topics.createIfMissing(admin, Map.of("clicks", 3), TIMEOUT);

    Topics.createIfMissing(admin, Map.of("clicks", 3, "views", 2), TIMEOUT);

    assertThat(admin.listTopics().names().get()).contains("clicks", "views");
    assertThat(admin.describeTopics(Set.of("clicks", "views")).allTopicNames().get())
        .hasEntrySatisfying("clicks", topic -> assertThat(topic.partitions()).hasSize(3))
        .hasEntrySatisfying("views", topic -> assertThat(topic.partitions()).hasSize(2));
  }

  @Test
  void rejectsAnExistingTopicWithAnotherPartitionCount() {
    Topics.createIfMissing(broker.bootstrapServers(), Map.of("payments", 1), TIMEOUT);

    assertThatThrownBy(
            () -> Topics.createIfMissing(broker.bootstrapServers(), Map.of("payments", 4), TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("payments=1 partitions, wanted 4");
  }
}
