package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.localstack.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The freshness scenario end to end at a low rate: live traffic into a real broker, our job on a
 * MiniCluster writing to Delta and (when {@code redis-server} is installed) Redis. Checks that the
 * latencies are well formed and judged against their targets, never how low they are.
 */
class FreshnessSmokeITCase {

  @TempDir Path output;

  @Test
  void aSmokeRunMeasuresLatenciesAndDrawsTheirDistributions() throws IOException {
    HarnessRun run =
        HarnessRun.of(
            output, "--profile", "smoke", "--scenarios", "freshness", "--live-rate", "400");

    assertThat(run.written()).anyMatch(name -> name.endsWith("-latency-cdf.png"));
    assertThat(run.written()).anyMatch(name -> name.endsWith("-freshness-cdf.png"));
    Map<String, Double> freshness = run.figuresOfOnlyRun("freshness");
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
      JsonNode target = run.target(sink + " freshness p99");
      assertThat(target.get("measured").asDouble()).isEqualTo(latencyP99);
    }
  }
}
