package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** Drives a real writer and a real committer against real Delta tables in a directory. */
final class SinkFixture {

  static final String APP_ID = "freshet-test-app";

  private final Path basePath;
  private final DeltaSinkSettings settings;

  SinkFixture(Path basePath, List<DeltaTableSchema> tables) {
    this(basePath, tables, NoOpCommitListener.INSTANCE);
  }

  SinkFixture(Path basePath, List<DeltaTableSchema> tables, DeltaCommitListener listener) {
    this(basePath, tables, listener, null);
  }

  /**
   * @param eventTimeColumn the sink's event time column, or null for a sink that records none
   */
  SinkFixture(
      Path basePath,
      List<DeltaTableSchema> tables,
      DeltaCommitListener listener,
      String eventTimeColumn) {
    this.basePath = basePath;
    this.settings =
        new DeltaSinkSettings(
            basePath.toString(), tables, APP_ID, Map.of(), listener, 3, eventTimeColumn);
  }

  DeltaSinkSettings settings() {
    return settings;
  }

  Path tableRoot(String table) {
    return basePath.resolve(table);
  }

  /** Writes the rows as one writer would between two checkpoints. */
  List<DeltaCommittable> write(long checkpointId, DeltaRow... rows) throws IOException {
    DeltaSinkWriter writer = new DeltaSinkWriter(settings, 0);
    for (DeltaRow row : rows) {
      writer.write(row, null);
    }
    List<DeltaCommittable> stamped = new ArrayList<>();
    for (DeltaCommittable committable : writer.prepareCommit()) {
      stamped.add(committable.withCheckpointId(checkpointId));
    }
    writer.close();
    return stamped;
  }

  DeltaLogCommitter freshCommitter() {
    return freshCommitter(new UnregisteredMetricsGroup());
  }

  DeltaLogCommitter freshCommitter(MetricGroup metricGroup) {
    return new DeltaLogCommitter(settings, OptionalLong.empty(), metricGroup);
  }

  DeltaLogCommitter committerRestoredFrom(long checkpointId) {
    return new DeltaLogCommitter(
        settings, OptionalLong.of(checkpointId), new UnregisteredMetricsGroup());
  }

  static List<TestCommitRequest> commit(
      DeltaLogCommitter committer, List<DeltaCommittable> committables) throws Exception {
    List<TestCommitRequest> requests = TestCommitRequest.requestsFor(committables);
    committer.commit(new ArrayList<>(requests));
    return requests;
  }
}
