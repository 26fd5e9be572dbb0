package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    HarnessRun run =
        HarnessRun.of(
            output,
            "--profile",
            "smoke",
            "--scenarios",
            "recovery",
            "--live-rate",
            "300",
            "--kills",
            "1",
            "--job-jar",
            "target/feature-job.jar");

    assertThat(run.written()).anyMatch(name -> name.endsWith("-recovery.png"));
    Map<String, Double> recovery = run.figuresOfOnlyRun("recovery");

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
    assertThat(run.target("recovery after a TaskManager kill").get("measured").asDouble())
        .isEqualTo(firstOutput);
    assertThat(run.target("nothing lost after TaskManager kills").get("measured").asDouble())
        .isEqualTo(recovery.get("rows missing") + recovery.get("rows extra or doubled"));
  }
}
