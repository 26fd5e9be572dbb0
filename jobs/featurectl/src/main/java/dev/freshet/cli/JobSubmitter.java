package dev.freshet.cli;

import dev.freshet.localflink.FlinkRestClient;
import dev.freshet.localstack.Directories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Submits the feature job to a Flink cluster and records the submission: the contracts are copied
 * into the submission's folder first and the job reads them from there, so the job and its record
 * agree on what it runs. The job's main method runs on the JobManager, which must see that folder
 * (a local cluster does; on Kubernetes the operator mounts the contracts instead, docs/deploy.md).
 */
final class JobSubmitter {

  static final String ENTRY_CLASS = "dev.freshet.job.FeatureJob";

  private final FlinkRestClient flink;
  private final Path jar;
  private final Path submissions;

  JobSubmitter(FlinkRestClient flink, Path jar, Path submissions) {
    this.flink = flink;
    this.jar = jar;
    this.submissions = submissions.toAbsolutePath();
  }

  /**
   * @param jobArguments the job's arguments other than {@code --contracts} and {@code
   *     --delta-app-id}, which this adds
   * @param savepoint null to start without state
   */
  Submission submit(
      Path contracts,
      String deltaAppId,
      List<String> jobArguments,
      int parallelism,
      String savepoint,
      boolean allowNonRestoredState,
      String previousJobId)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          "No job jar at " + jar + " (build it: mvn -B -q install -DskipTests, or pass --jar)");
    }
    // The job reads the copy on the JobManager while the run request is answered, and never again.
    Path contractsCopy =
        copyContracts(contracts, submissions.resolve("contracts-" + UUID.randomUUID()));
    List<String> arguments = new ArrayList<>();
    arguments.add("--contracts");
    arguments.add(contractsCopy.toString());
    arguments.add("--delta-app-id");
    arguments.add(deltaAppId);
    arguments.addAll(jobArguments);
    String jobId;
    try {
      String jarId = flink.uploadJar(jar);
      try {
        jobId =
            flink.runJar(
                jarId,
                new FlinkRestClient.RunRequest(
                    ENTRY_CLASS, arguments, parallelism, savepoint, allowNonRestoredState));
      } catch (IOException | InterruptedException | RuntimeException e) {
        try {
          flink.deleteJar(jarId);
        } catch (IOException | RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      // The job runs from the blob the run request made; the upload would only fill the disk.
      flink.deleteJar(jarId);
    } catch (IOException | InterruptedException | RuntimeException e) {
      Directories.deleteRecursively(contractsCopy);
      throw e;
    }
    Submission submission =
        new Submission(
            jobId, contractsCopy, deltaAppId, jobArguments, parallelism, previousJobId, null, null);
    submission.write(submissions);
    return submission;
  }

  private static Path copyContracts(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.filter(JobSubmitter::isContractFile).toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return to;
  }

  /** The files ContractLoader reads from a folder. */
  private static boolean isContractFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }
}
