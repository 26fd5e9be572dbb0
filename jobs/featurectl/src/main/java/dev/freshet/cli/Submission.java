package dev.freshet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What featurectl submitted as one job, kept in {@code <submissions-dir>/<job id>/}: where the copy
 * of the contracts the job runs lies (the job read them from there, and the originals may change),
 * its Delta application id (the lineage of its commits, kept across upgrades), its other arguments,
 * and the savepoint it was stopped with. Upgrades read it to resubmit the same job with other
 * contracts.
 *
 * @param savepoint null while the job has not been stopped with a savepoint
 * @param upgradedTo the job that continued from that savepoint; null while none did
 */
record Submission(
    String jobId,
    Path contracts,
    String deltaAppId,
    List<String> jobArguments,
    int parallelism,
    String previousJobId,
    String savepoint,
    String upgradedTo) {

  private static final String FILE = "submission.properties";

  static Path directory(Path submissions, String jobId) {
    return submissions.resolve(jobId);
  }

  static Submission read(Path submissions, String jobId) throws IOException {
    Properties properties = new Properties();
    Path file = directory(submissions, jobId).resolve(FILE);
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "job " + jobId + " was not submitted by featurectl with this --submissions-dir");
    }
    List<String> arguments = new ArrayList<>();
    for (int i = 0; properties.containsKey("argument." + i); i++) {
      arguments.add(properties.getProperty("argument." + i));
    }
    return new Submission(
        jobId,
        Path.of(properties.getProperty("contracts")),
        properties.getProperty("delta.app.id"),
        arguments,
        Integer.parseInt(properties.getProperty("parallelism")),
        properties.getProperty("previous.job.id"),
        properties.getProperty("savepoint"),
        properties.getProperty("upgraded.to"));
  }

  void write(Path submissions) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("contracts", contracts.toString());
    properties.setProperty("delta.app.id", deltaAppId);
    properties.setProperty("parallelism", Integer.toString(parallelism));
    for (int i = 0; i < jobArguments.size(); i++) {
      properties.setProperty("argument." + i, jobArguments.get(i));
    }
    if (previousJobId != null) {
      properties.setProperty("previous.job.id", previousJobId);
    }
    if (savepoint != null) {
      properties.setProperty("savepoint", savepoint);
    }
    if (upgradedTo != null) {
      properties.setProperty("upgraded.to", upgradedTo);
    }
    Path dir = Files.createDirectories(directory(submissions, jobId));
    try (OutputStream out = Files.newOutputStream(dir.resolve(FILE))) {
      properties.store(out, "a job featurectl submitted");
    }
  }

  Submission stoppedAt(String savepointPath) {
    return new Submission(
        jobId,
        contracts,
        deltaAppId,
        jobArguments,
        parallelism,
        previousJobId,
        savepointPath,
        upgradedTo);
  }

  Submission upgradedTo(String nextJobId) {
    return new Submission(
        jobId,
        contracts,
        deltaAppId,
        jobArguments,
        parallelism,
        previousJobId,
        savepoint,
        nextJobId);
  }
}
