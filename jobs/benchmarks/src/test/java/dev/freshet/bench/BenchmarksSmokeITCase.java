package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness end to end on a few thousand events: a real broker, the ceiling, our job and the
 * Flink SQL baseline on MiniClusters. Checks that the results are well formed, never how fast
 * anything was.
 */
class BenchmarksSmokeITCase {

  private static final List<String> SCENARIOS =
      List.of(
          "ceiling", "job-heap-nosink", "sql-heap-user_listening", "job-heap-delta-user_listening");

  @TempDir Path output;

  @Test
  void aSmokeRunWritesWellFormedResultsForEveryScenario() throws IOException {
    StringWriter console = new StringWriter();
    int exitCode =
        new CommandLine(new Benchmarks())
            .setOut(new PrintWriter(console))
            .execute(
                "--profile", "smoke",
                "--events", "3000",
                "--runs", "2",
                "--scenarios", String.join(",", SCENARIOS),
                "--contracts", "../../contracts",
                "--output", output.toString());

    assertThat(exitCode).as(console.toString()).isZero();
    List<Path> written;
    try (Stream<Path> files = Files.list(output)) {
      written = files.sorted().toList();
    }
    Path json = only(written, ".json");
    String base = json.getFileName().toString().replace(".json", "");
    assertThat(written)
        .extracting(path -> path.getFileName().toString())
        .containsExactlyInAnyOrder(base + ".json", base + ".md", base + "-throughput.png");

    JsonNode results = new ObjectMapper().readTree(json.toFile());
    List<String> measured = new ArrayList<>();
    for (JsonNode figure : results.get("figures")) {
      if (figure.get("metric").asText().equals("throughput")) {
        measured.add(figure.get("scenario").asText());
        assertThat(figure.get("runs")).hasSize(2);
        for (JsonNode run : figure.get("runs")) {
          assertThat(run.isNumber()).as("a finite rate in %s", figure).isTrue();
          assertThat(run.asDouble()).isPositive();
        }
      }
    }
    assertThat(measured).containsExactlyElementsOf(SCENARIOS);
    assertThat(results.get("ratios"))
        .extracting(ratio -> ratio.get("name").asText())
        .containsExactly("our job ÷ Flink SQL (user_listening)");
    JsonNode ratio = results.get("ratios").get(0);
    for (int run = 0; run < 2; run++) {
      double job = figureRun(results, "job-heap-delta-user_listening", run);
      double sql = figureRun(results, "sql-heap-user_listening", run);
      assertThat(ratio.get("perRun").get(run).asDouble()).isEqualTo(job / sql);
    }
    assertThat(results.get("targets")).hasSize(7);
    assertThat(console.toString()).contains("Ratios", "Targets", "wrote " + json);
  }

  private static double figureRun(JsonNode results, String scenario, int run) {
    for (JsonNode figure : results.get("figures")) {
      if (figure.get("scenario").asText().equals(scenario)
          && figure.get("metric").asText().equals("throughput")) {
        return figure.get("runs").get(run).asDouble();
      }
    }
    throw new AssertionError("no throughput of " + scenario);
  }

  private static Path only(List<Path> files, String suffix) {
    List<Path> matching = files.stream().filter(p -> p.toString().endsWith(suffix)).toList();
    assertThat(matching).hasSize(1);
    return matching.get(0);
  }
}
