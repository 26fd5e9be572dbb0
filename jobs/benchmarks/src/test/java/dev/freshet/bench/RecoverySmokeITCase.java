package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The recovery scenario end to end at a low rate: a real local session cluster, the job jar
 * submitted over REST, one TaskManager killed with SIGKILL, a reference run on a MiniCluster.
 * Checks that every phase was seen in order and the tables were compared, never how long anything
 * took nor whether anything was lost (that is a figure the harness reports).
 */
class RecoverySmokeITCase {

  @TempDir Path output;

  @Test
  void aSmokeRunTimesEachPhaseOfARecoveryAndComparesTheTables() throws IOException {
    StringWriter console = new StringWriter();
    int exitCode =
        new CommandLine(new Benchmarks())
            .setOut(new PrintWriter(console))
            .execute(
                "--profile", "smoke",
                "--scenarios", "recovery",
                "--live-rate", "300",
                "--kills", "1",
                "--job-jar", "target/feature-job.jar",
                "--contracts", "../../contracts",
                "--output", output.toString());

    assertThat(exitCode).as(console.toString()).isZero();
    List<String> written;
    try (Stream<Path> files = Files.list(output)) {
      written = files.map(path -> path.getFileName().toString()).sorted().toList();
    }
    assertThat(written).anyMatch(name -> name.endsWith("-recovery.png"));
    Path json = output.resolve(written.stream().filter(n -> n.endsWith(".json")).findFirst().get());
    JsonNode results = new ObjectMapper().readTree(json.toFile());
    Map<String, Double> recovery = new HashMap<>();
    for (JsonNode figure : results.get("figures")) {
      assertThat(figure.get("scenario").asText()).isEqualTo("recovery");
      assertThat(figure.get("runs")).hasSize(1);
      recovery.put(figure.get("metric").asText(), figure.get("runs").get(0).asDouble());
    }

    double detection = recovery.get("detection (kill → RESTARTING)");
    double restore = recovery.get("restore (RESTARTING → every task running)");
    double firstOutput = recovery.get("output again (kill → first Delta commit)");
    assertThat(detection).isPositive();
    assertThat(restore).isPositive();
    assertThat(firstOutput)
        .as("the first commit after the restore comes after the tasks run again")
        .isGreaterThan(detection + restore);
    double compared = recovery.get("rows compared with the reference");
    assertThat(compared).isPositive();
    assertThat(recovery.get("rows missing")).isBetween(0.0, compared);
    assertThat(recovery.get("rows extra or doubled")).isNotNegative();
    assertThat(recovery.get("late events dead-lettered")).isNotNegative();
    assertThat(recovery.get("state bytes per (entity, contract), serialized")).isPositive();
    assertThat(recovery.get("aggregation state, serialized") * 1e6)
        .as("at least a byte per (entity, contract)")
        .isGreaterThanOrEqualTo(recovery.get("state bytes per (entity, contract), serialized"));
    assertThat(target(results, "recovery after a TaskManager kill").get("measured").asDouble())
        .isEqualTo(firstOutput);
    assertThat(target(results, "nothing lost after TaskManager kills").get("measured").asDouble())
        .isEqualTo(recovery.get("rows missing") + recovery.get("rows extra or doubled"));
  }

  private static JsonNode target(JsonNode results, String name) {
    for (JsonNode target : results.get("targets")) {
      if (target.get("name").asText().equals(name)) {
        return target;
      }
    }
    throw new AssertionError("no target " + name);
  }
}
