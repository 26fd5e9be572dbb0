package dev.freshet.bench.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Ratio;
import dev.freshet.bench.serving.ServingLatency.Case;
import dev.freshet.bench.serving.ServingLatency.Latencies;
import dev.freshet.bench.serving.ServingLatency.Result;
import dev.freshet.bench.serving.ServingLatency.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving latency measurement on a few hundred requests against a real redis-server and feature
 * server. Checks that the figures are well formed, never how fast anything was.
 */
class ServingLatencyITCase {

  private static final int ROUNDS = 2;

  @TempDir Path workDirectory;

  @Test
  void everyCaseHasAFigurePerPercentileWithOneRunPerRound() throws Exception {
    StringWriter console = new StringWriter();
    // a few requests of each case, so that the test takes seconds
    Settings tiny = new Settings(200, ROUNDS, 50, 3, 20, 2);
    Result result = ServingLatency.measure(tiny, workDirectory, new PrintWriter(console, true));

    assertThat(result.byCase()).containsOnlyKeys(Case.values());
    for (Case measured : Case.values()) {
      Latencies latencies = result.of(measured);
      assertThat(latencies.figures())
          .as(measured.name())
          .extracting(Figure::scenario, Figure::metric, Figure::unit)
          .containsExactly(
              figureId(measured, ServingLatency.P50),
              figureId(measured, ServingLatency.P99),
              figureId(measured, ServingLatency.P99_9));
      for (Figure figure : latencies.figures()) {
        assertThat(figure.runs())
            .as("%s %s", figure.scenario(), figure.metric())
            .hasSize(ROUNDS)
            .allSatisfy(millis -> assertThat(millis).isFinite().isPositive());
      }
      for (int round = 0; round < ROUNDS; round++) {
        double p50 = latencies.p50().runs().get(round);
        double p99 = latencies.p99().runs().get(round);
        double p999 = latencies.p999().runs().get(round);
        assertThat(p50).as("%s round %d: p50 ≤ p99", measured, round).isLessThanOrEqualTo(p99);
        assertThat(p99).as("%s round %d: p99 ≤ p99.9", measured, round).isLessThanOrEqualTo(p999);
      }
    }

    assertThat(result.figures())
        .hasSize(3 * Case.values().length)
        .extracting(Figure::scenario)
        .startsWith(Case.SERVER_1X20.scenario())
        .allMatch(scenario -> scenario.startsWith(ServingLatency.SCENARIO_PREFIX));
    assertThat(Arrays.stream(Case.values()).map(Case::scenario).distinct())
        .hasSize(Case.values().length);

    List<Ratio> ratios = result.serverOverRaw();
    assertThat(ratios).hasSize(6);
    Ratio singleP99 = ratios.get(1);
    assertThat(singleP99.numerator()).isSameAs(result.of(Case.SERVER_1X20).p99());
    assertThat(singleP99.denominator()).isSameAs(result.of(Case.RAW_HGETALL_1).p99());
    for (int round = 0; round < ROUNDS; round++) {
      assertThat(singleP99.perRun().get(round))
          .isEqualTo(
              singleP99.numerator().runs().get(round) / singleP99.denominator().runs().get(round));
    }
    assertThat(ratios.get(4).denominator())
        .isSameAs(result.of(Case.RAW_HGETALL_100_PIPELINED).p99());

    assertThat(console.toString())
        .contains("serving round 1/2", "serving round 2/2")
        .doesNotContain("could not delete");
  }

  private static Tuple figureId(Case measured, String metric) {
    return Tuple.tuple(measured.scenario(), metric, ServingLatency.UNIT);
  }
}
