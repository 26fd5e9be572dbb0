package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.job.KafkaConnectionOptions;
import dev.freshet.online.RedisConnectionOptions;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Submits the feature job with a contract folder to a Flink cluster, without state. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description =
        "Upload the feature job jar to a Flink cluster and run it with the contracts; arguments"
            + " after -- go to the job as they are (e.g. -- --behaviour-topic my-topic).")
final class SubmitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ContractsDirectoryOption contracts;

  @Mixin FlinkOptions flink;

  @Mixin JobJarOption jar;

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
  String bootstrapServers;

  /** Passed on to the job as they are: files they name must exist on the cluster's machines. */
  @Mixin KafkaConnectionOptions kafkaOptions = new KafkaConnectionOptions();

  @Option(names = "--delta-path", required = true, description = "Base path of the offline tables.")
  String deltaPath;

  @Option(names = "--redis-uri", description = "Online store for contracts served online.")
  String redisUri;

  /** Passed on to the job as they are: files they name must exist on the cluster's machines. */
  @Mixin RedisConnectionOptions redisOptions = new RedisConnectionOptions();

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Job parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Parameters(paramLabel = "JOB_ARGUMENT", description = "More arguments of the job.")
  List<String> moreJobArguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<List<Contract>> loaded = contracts.loadOrReport(spec.commandLine().getErr());
    if (loaded.isEmpty()) {
      return 1;
    }
    List<String> jobArguments = jobArguments();
    // A job without state is a new writer of the tables: it gets an application id of its own.
    String deltaAppId = "freshet-" + Instant.now().toEpochMilli();
    Submission submission =
        new JobSubmitter(flink.client(), jar.jar(), flink.submissions)
            .submit(contracts.directory, deltaAppId, jobArguments, parallelism, null, false, null);
    out.printf(
        "submitted: job %s with %d contracts to %s (Delta app id %s)%n",
        submission.jobId(), loaded.get().size(), flink.flink, deltaAppId);
    out.printf("  web UI %s/#/job/running/%s%n", flink.flink, submission.jobId());
    return 0;
  }

  /**
   * The job's arguments: connection options checked here, so that a contradiction is a usage error
   * before anything is uploaded, and passed on by name (a password file's path, never a password).
   */
  List<String> jobArguments() {
    kafkaOptions.connection(bootstrapServers);
    List<String> jobArguments = new ArrayList<>();
    jobArguments.addAll(List.of("--bootstrap-servers", bootstrapServers));
    jobArguments.addAll(kafkaOptions.arguments());
    jobArguments.addAll(List.of("--delta-path", deltaPath));
    if (redisOptions.connection(redisUri).isPresent()) {
      jobArguments.addAll(List.of("--redis-uri", redisUri));
      jobArguments.addAll(redisOptions.arguments());
    }
    jobArguments.addAll(moreJobArguments);
    return jobArguments;
  }
}
