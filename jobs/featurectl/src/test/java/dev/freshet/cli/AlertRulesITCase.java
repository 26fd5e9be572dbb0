package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules through Prometheus's own tool: they parse ({@code promtool check rules}) and each
 * fires on series made to break it and stays quiet on healthy ones ({@code promtool test rules}
 * with grafana/prometheus/freshet-alerts.test.yml).
 */
class AlertRulesITCase {

  private static final Path RULES = Path.of("../../grafana/prometheus");

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    Result result = promtool("check", "rules", "freshet-alerts.yml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: 6 rules found");
  }

  @Test
  void everyAlertFiresOnTheSeriesMadeToBreakIt() throws Exception {
    Result result = promtool("test", "rules", "freshet-alerts.test.yml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void theExamplePrometheusConfigurationLoadsTheRules() throws Exception {
    Result result = promtool("check", "config", "prometheus.yml");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: 1 rule files found");
  }

  private record Result(int exitCode, String output) {}

  private static Result promtool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}
