package dev.freshet.localflink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFlinkClusterITCase {

  @Test
  void startsAJobManagerAndATaskManagerProcessAndStopsThem(@TempDir Path dir) throws Exception {
    LocalFlinkCluster cluster =
        LocalFlinkCluster.start(dir, LocalFlinkCluster.Settings.defaults().withRestPort(0));
    try {
      assertThat(cluster.jobManagerPid()).isNotEqualTo(cluster.taskManagerPid());
      assertThat(ProcessHandle.of(cluster.jobManagerPid())).isPresent();
      assertThat(ProcessHandle.of(cluster.taskManagerPid())).isPresent();
      assertThat(ProcessHandle.current().pid())
          .isNotIn(cluster.jobManagerPid(), cluster.taskManagerPid());

      String overview =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(cluster.restUri().resolve("/overview")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(overview).contains("\"taskmanagers\":1").contains("\"slots-total\":4");
      assertThat(LocalFlinkCluster.running(dir))
          .get()
          .extracting(LocalFlinkCluster::restUri)
          .isEqualTo(cluster.restUri());
      assertThatThrownBy(() -> LocalFlinkCluster.start(dir, LocalFlinkCluster.Settings.defaults()))
          .hasMessageContaining("already running at " + cluster.restUri());
      assertThat(Files.readString(dir.resolve("log/jobmanager.log")))
          .contains("StandaloneSessionClusterEntrypoint");
    } finally {
      cluster.stop();
    }
    assertThat(ProcessHandle.of(cluster.jobManagerPid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(ProcessHandle.of(cluster.taskManagerPid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(LocalFlinkCluster.running(dir)).isEmpty();
  }

  @Test
  void takesFurtherConfigurationAndMoreTaskManagersAndStopsThemAll(@TempDir Path dir)
      throws Exception {
    LocalFlinkCluster cluster =
        LocalFlinkCluster.start(
            dir,
            LocalFlinkCluster.Settings.defaults()
                .withRestPort(0)
                .with("taskmanager.numberOfTaskSlots", "1")
                .with("heartbeat.interval", "1000ms"));
    long standby;
    try {
      standby = cluster.startTaskManager();
      FlinkRestClient flink = new FlinkRestClient(cluster.restUri());
      assertThat(flink.get("/overview").path("taskmanagers").asInt()).isEqualTo(2);
      assertThat(flink.get("/overview").path("slots-total").asInt())
          .as("the further line replaced the default of 4 slots")
          .isEqualTo(2);
      assertThat(flink.get("/jobmanager/config").toString()).contains("heartbeat.interval");
      assertThat(LocalFlinkCluster.running(dir).orElseThrow().taskManagerPids())
          .containsExactly(cluster.taskManagerPid(), standby);
    } finally {
      cluster.stop();
    }
    assertThat(ProcessHandle.of(standby).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(ProcessHandle.of(cluster.taskManagerPid()).filter(ProcessHandle::isAlive)).isEmpty();
  }
}
