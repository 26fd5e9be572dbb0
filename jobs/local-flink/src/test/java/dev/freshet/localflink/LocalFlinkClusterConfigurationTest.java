package dev.freshet.localflink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalFlinkClusterConfigurationTest {

  private static final Path DIR = Path.of("/tmp/cluster");

  @Test
  void heapStateGetsTheManagedMemoryForItsHeap() {
    String heap =
        LocalFlinkCluster.configuration(DIR, LocalFlinkCluster.Settings.defaults(), 1, 2, 3);
    String rocksdb =
        LocalFlinkCluster.configuration(
            DIR,
            new LocalFlinkCluster.Settings(
                8081,
                4,
                "rocksdb",
                LocalFlinkCluster.Settings.defaults().checkpointInterval(),
                "9250-9260",
                Map.of()),
            1,
            2,
            3);

    assertThat(heap).contains("state.backend.type: hashmap\n", "managed.fraction: 0\n");
    assertThat(rocksdb)
        .contains("state.backend.type: rocksdb\n")
        .doesNotContain("managed.fraction");
  }

  @Test
  void furtherLinesReplaceTheDefaultOfTheirKey() {
    String config =
        LocalFlinkCluster.configuration(
            DIR,
            LocalFlinkCluster.Settings.defaults()
                .with("taskmanager.numberOfTaskSlots", "1")
                .with("heartbeat.interval", "1 s"),
            1,
            2,
            3);

    assertThat(config)
        .contains("taskmanager.numberOfTaskSlots: 1\n", "heartbeat.interval: 1 s\n")
        .doesNotContain("taskmanager.numberOfTaskSlots: 4");
  }
}
