package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Moves a running job to another contract set without losing its state: stop with a savepoint,
 * resubmit with the new contracts from that savepoint, keeping the Delta application id so that the
 * tables see one writer continue.
 */
@Command(
    name = "upgrade",
    mixinStandardHelpOptions = true,
    description =
        "Stop a job featurectl submitted with a savepoint and resubmit it with the contracts of"
            + " --contracts, restoring its state.")
final class UpgradeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ContractsDirectoryOption contracts;

  @Mixin FlinkOptions flink;

  @Mixin JobJarOption jar;

  @Parameters(paramLabel = "JOB_ID", description = "The running job to upgrade.")
  String jobId;

  @Option(names = "--parallelism", description = "New parallelism (default: the job's).")
  Integer parallelism;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Submission previous = Submission.read(flink.submissions, jobId);
    if (previous.upgradedTo() != null) {
      // Two jobs of one lineage would share the Delta app id and skip each other's commits.
      spec.commandLine()
          .getErr()
          .printf(
              "error: job %s was already upgraded to job %s; upgrade that one%n",
              jobId, previous.upgradedTo());
      return 1;
    }
    Optional<List<Contract>> wanted = contracts.loadOrReport(spec.commandLine().getErr());
    if (wanted.isEmpty()) {
      return 1;
    }
    Set<String> before = ids(new ContractLoader().loadDirectory(previous.contracts()));
    Set<String> after = ids(wanted.get());
    Set<String> removed = difference(before, after);
    Set<String> added = difference(after, before);

    String savepoint = previous.savepoint();
    if (savepoint == null) {
      savepoint = flink.client().stopWithSavepoint(jobId, null, StopCommand.SAVEPOINT_TIMEOUT);
      previous.stoppedAt(savepoint).write(flink.submissions);
      out.printf("stopped: job %s with savepoint %s%n", jobId, savepoint);
    }
    // A removed contract can leave state without a home (an operator only it needed, such as the
    // online sink of the last online contract): Flink refuses such a savepoint unless told to
    // skip that state.
    boolean allowNonRestoredState = !removed.isEmpty();
    if (allowNonRestoredState) {
      out.printf(
          "removed contracts %s: restoring with allowNonRestoredState, so state the new job has no"
              + " place for is dropped; their keyed state stays in the snapshots, unread%n",
          removed);
    }
    Submission next =
        new JobSubmitter(flink.client(), jar.jar(), flink.submissions)
            .submit(
                contracts.directory,
                previous.deltaAppId(),
                previous.jobArguments(),
                parallelism != null ? parallelism : previous.parallelism(),
                savepoint,
                allowNonRestoredState,
                jobId);
    Submission.read(flink.submissions, jobId).upgradedTo(next.jobId()).write(flink.submissions);
    out.printf(
        "upgraded: job %s → job %s from %s; contracts added %s, removed %s, kept %d%n",
        jobId, next.jobId(), savepoint, added, removed, after.size() - added.size());
    return 0;
  }

  private static Set<String> ids(List<Contract> contracts) {
    return contracts.stream().map(Contract::id).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> result = new TreeSet<>(a);
    result.removeAll(b);
    return result;
  }
}
