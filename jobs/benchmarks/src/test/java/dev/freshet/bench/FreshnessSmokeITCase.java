package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.localstack.RedisServerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The freshness scenario end to end at a low rate: live traffic into a real broker, our job on a
 * MiniCluster writing to Delta and (when {@code redis-server} is installed) Redis. Checks that the
 * latencies are well formed and judged against their targets, never how low they are.
 */
class FreshnessSmokeITCase {

  @TempDir Path output;

  @Test
  void aSmokeRunMeasuresLatenciesAndDrawsTheirDistributions() throws IOException {
    StringWriter console = new StringWriter();
    int exitCode =
        new CommandLine(new Benchmarks())
            .setOut(new PrintWriter(console))
            .execute(
                "--profile", "smoke",
                "--scenarios", "freshness",
                "--live-rate", "400",
                "--contracts", "../../contracts",
                "--output", output.toString());

    assertThat(exitCode).as(console.toString()).isZero();
    List<String> written;
    try (Stream<Path> files = Files.list(output)) {
      written = files.map(path -> path.getFileName().toString()).sorted().toList();
    }
    assertThat(written).anyMatch(name -> name.endsWith("-latency-cdf.png"));
    assertThat(written).anyMatch(name -> name.endsWith("-freshness-cdf.png"));
    Path json = output.resolve(written.stream().filter(n -> n.endsWith(".json")).findFirst().get());
    JsonNode results = new ObjectMapper().readTree(json.toFile());

    Map<String, Double> freshness = new HashMap<>();
    for (JsonNode figure : results.get("figures")) {
      assertThat(figure.get("scenario").asText()).isEqualTo("freshness");
      assertThat(figure.get("runs")).hasSize(1);
      freshness.put(figure.get("metric").asText(), figure.get("runs").get(0).asDouble());
    }
    assertThat(freshness.get("input rate")).isPositive();
    List<String> sinks = new ArrayList<>(List.of("offline"));
    if (RedisServerProcess.binaryAvailable()) {
      sinks.add("online");
    }
    for (String sink : sinks) {
      String store = sink.equals("online") ? "Redis ack" : "Delta commit";
      double latencyP50 = freshness.get(sink + " latency (append → " + store + ") p50");
      double latencyP99 = freshness.get(sink + " latency (append → " + store + ") p99");
      double freshnessP99 = freshness.get(sink + " freshness (feature time → " + store + ") p99");
      assertThat(latencyP50).isPositive().isLessThanOrEqualTo(latencyP99);
      assertThat(freshnessP99)
          .as("a row's input completes after its feature time, by the watermark's lag at least")
          .isGreaterThan(latencyP99);
      JsonNode target = target(results, sink + " freshness p99");
      assertThat(target.get("measured").asDouble()).isEqualTo(latencyP99);
    }
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
