package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    HarnessRun harness =
        HarnessRun.of(
            output,
            "--profile",
            "smoke",
            "--events",
            "3000",
            "--runs",
            "2",
            "--scenarios",
            String.join(",", SCENARIOS));

    String base = harness.json().getFileName().toString().replace(".json", "");
    assertThat(harness.written())
        .containsExactlyInAnyOrder(base + ".json", base + ".md", base + "-throughput.png");

    JsonNode results = harness.results();
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
    assertThat(results.get("targets"))
        .extracting(target -> target.get("name").asText())
        .containsExactly(
            "our job ÷ ceiling",
            "our job ÷ Flink SQL",
            "online freshness p99",
            "offline freshness p99",
            "recovery after a TaskManager kill",
            "nothing lost after TaskManager kills",
            "TaskManager heap flat",
            "no keys after their TTL",
            "GetOnlineFeatures p99");
    assertThat(results.get("targets"))
        .filteredOn(target -> target.get("name").asText().contains("heap flat"))
        .extracting(target -> target.get("status").asText())
        .as("the memory soak runs only when named")
        .containsExactly("NOT_MEASURED");
    assertThat(harness.console()).contains("Ratios", "Targets", "wrote " + harness.json());
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
}
