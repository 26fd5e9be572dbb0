package dev.freshet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Stops a job with a savepoint, so that it can be resumed or upgraded. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop a job with a savepoint and print the savepoint's path.")
final class StopCommand implements Callable<Integer> {

  static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(5);

  @Spec CommandSpec spec;

  @Mixin FlinkOptions flink;

  @Parameters(paramLabel = "JOB_ID", description = "The job to stop.")
  String jobId;

  @Option(
      names = "--savepoint-dir",
      paramLabel = "URI",
      description = "Where to write the savepoint (default: the cluster's savepoint directory).")
  String savepointDirectory;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String savepoint =
        flink.client().stopWithSavepoint(jobId, savepointDirectory, SAVEPOINT_TIMEOUT);
    out.printf("stopped: job %s with savepoint %s%n", jobId, savepoint);
    if (Files.isDirectory(Submission.directory(flink.submissions, jobId))) {
      Submission.read(flink.submissions, jobId).stoppedAt(savepoint).write(flink.submissions);
    }
    return 0;
  }
}
