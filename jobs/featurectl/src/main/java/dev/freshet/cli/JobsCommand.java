package dev.freshet.cli;

import dev.freshet.localflink.FlinkRestClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The jobs of a Flink cluster. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the cluster's jobs.")
final class JobsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin FlinkOptions flink;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-32s  %-10s  %-24s  %s%n", "job id", "state", "started", "name");
    for (FlinkRestClient.JobOverview job : flink.client().jobs()) {
      out.printf(
          "%-32s  %-10s  %-24s  %s%n",
          job.id(), job.state(), Instant.ofEpochMilli(job.startTime()), job.name());
    }
    return 0;
  }
}
