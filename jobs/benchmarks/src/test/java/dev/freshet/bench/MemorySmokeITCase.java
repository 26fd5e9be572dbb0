package dev.freshet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory scenario end to end, a minute long: a real local session cluster, the job jar
 * submitted over REST with the probe contracts, the TaskManager's heap read with jcmd and its keys
 * from the job's gauges over Flink's REST API. Checks that what was read is consistent and that the
 * job's state ends once its TTL has passed with no traffic, never how fast anything was nor whether
 * the heap was flat (that is a figure the harness reports).
 */
class MemorySmokeITCase {

  @TempDir Path output;

  @Test
  void aSmokeSoakReadsTheHeapAndTheKeysAndEveryKeyEndsAfterItsTtl() throws IOException {
    HarnessRun run =
        HarnessRun.of(
            output,
            "--profile",
            "smoke",
            "--scenarios",
            "memory",
            "--job-jar",
            "target/feature-job.jar");

    assertThat(run.written())
        .anyMatch(name -> name.endsWith("-memory-heap.png"))
        .anyMatch(name -> name.endsWith("-memory-keys.png"));
    double heapMax = only(run.figure("memory", "TaskManager max heap"));
    assertThat(run.figure("memory", "heap after full GC, steady samples"))
        .isNotEmpty()
        .allSatisfy(heap -> assertThat(heap).isPositive().isLessThan(heapMax));
    assertThat(run.figure("memory", "keys holding state, steady samples"))
        .as("the job's stateKeys gauges count the probe contracts' entities while traffic flows")
        .isNotEmpty()
        .allSatisfy(keys -> assertThat(keys).isPositive());

    double keysLeft =
        only(run.figure("memory", "keys left once every key's TTL passed without traffic"));
    assertThat(keysLeft)
        .as("every key's state ends after its TTL, with no traffic to touch it")
        .isZero();
    double ttl = only(run.figure("memory", "state TTL"));
    assertThat(only(run.figure("memory", "last event → no key holds state")))
        .as("keys touched by the last events live for a TTL after them")
        .isGreaterThan(ttl - 1);
    assertThat(run.target("no keys after their TTL").get("measured").asDouble())
        .isEqualTo(keysLeft);
    assertThat(run.target("TaskManager heap flat").get("measured").asDouble())
        .isEqualTo(only(run.figure("memory", "heap slope ÷ max heap")));
  }

  private static double only(List<Double> runs) {
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }
}
