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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * One run of the benchmark harness from a smoke test, on the repository's contracts: what it
 * printed, the files it wrote and the results it wrote as JSON.
 */
record HarnessRun(String console, Path json, List<String> written, JsonNode results) {

  /** Runs the harness with {@code arguments}, writing to {@code output}; it must exit with 0. */
  static HarnessRun of(Path output, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(arguments));
    command.addAll(List.of("--contracts", "../../contracts", "--output", output.toString()));
    StringWriter console = new StringWriter();
    int exitCode =
        new CommandLine(new Benchmarks())
            .setOut(new PrintWriter(console))
            .execute(command.toArray(String[]::new));
    assertThat(exitCode).as(console.toString()).isZero();
    List<String> written;
    try (Stream<Path> files = Files.list(output)) {
      written = files.map(path -> path.getFileName().toString()).sorted().toList();
    }
    List<String> json = written.stream().filter(name -> name.endsWith(".json")).toList();
    assertThat(json).hasSize(1);
    Path results = output.resolve(json.get(0));
    return new HarnessRun(
        console.toString(), results, written, new ObjectMapper().readTree(results.toFile()));
  }

  /** The single run's value of every figure, by metric; every figure must be {@code scenario}'s. */
  Map<String, Double> figuresOfOnlyRun(String scenario) {
    Map<String, Double> figures = new HashMap<>();
    for (JsonNode figure : results.get("figures")) {
      assertThat(figure.get("scenario").asText()).isEqualTo(scenario);
      assertThat(figure.get("runs")).hasSize(1);
      figures.put(figure.get("metric").asText(), figure.get("runs").get(0).asDouble());
    }
    return figures;
  }

  /** Every run's value of {@code scenario}'s figure {@code metric}. */
  List<Double> figure(String scenario, String metric) {
    for (JsonNode figure : results.get("figures")) {
      if (figure.get("scenario").asText().equals(scenario)
          && figure.get("metric").asText().equals(metric)) {
        List<Double> runs = new ArrayList<>();
        figure.get("runs").forEach(run -> runs.add(run.asDouble()));
        return runs;
      }
    }
    throw new AssertionError("no figure " + metric + " of " + scenario);
  }

  JsonNode target(String name) {
    for (JsonNode target : results.get("targets")) {
      if (target.get("name").asText().equals(name)) {
        return target;
      }
    }
    throw new AssertionError("no target " + name);
  }
}
