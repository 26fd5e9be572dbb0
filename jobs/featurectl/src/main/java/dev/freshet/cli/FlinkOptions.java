package dev.freshet.cli;

import dev.freshet.localflink.FlinkRestClient;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Flink cluster is and where featurectl keeps what it submitted there. */
final class FlinkOptions {

  @Option(
      names = "--flink",
      defaultValue = "http://localhost:8081",
      paramLabel = "URL",
      description = "REST address of the Flink JobManager (default: ${DEFAULT-VALUE}).")
  URI flink;

  @Option(
      names = "--submissions-dir",
      defaultValue = "freshet-submissions",
      paramLabel = "DIR",
      description =
          "Where featurectl records the jobs it submits and the contracts they run (default:"
              + " ${DEFAULT-VALUE}).")
  Path submissions;

  FlinkRestClient client() {
    return new FlinkRestClient(flink);
  }
}
