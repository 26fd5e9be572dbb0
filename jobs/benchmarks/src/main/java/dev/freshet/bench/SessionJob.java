package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.bench.freshness.LiveTraffic;
import dev.freshet.job.FeatureJob;
import dev.freshet.localflink.FlinkRestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Our feature job on a local session cluster: its jar submitted over Flink's REST API, as {@code
 * featurectl submit} does, and watched from outside.
 */
final class SessionJob {

  /** How the feature job names its aggregation operator, the head of its task. */
  static final String AGGREGATION_TASK = "aggregate features in tiles";

  private SessionJob() {}

  /** The job's arguments: every contract under {@code contracts}, fed by {@code traffic}. */
  static List<String> arguments(
      BenchContext context,
      Path contracts,
      LiveTraffic traffic,
      String lineage,
      String deadLetters,
      Path delta,
      String jobName) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--contracts",
                contracts.toAbsolutePath().toString(),
                "--bootstrap-servers",
                context.bootstrapServers(),
                "--delta-path",
                delta.toAbsolutePath().toString(),
                "--behaviour-topic",
                traffic.behaviourTopic(),
                "--file-topic",
                traffic.fileTopic(),
                "--dead-letter-topic",
                deadLetters,
                "--consumer-group",
                lineage,
                "--delta-app-id",
                lineage,
                "--job-name",
                jobName));
    if (context.redisUri() != null) {
      arguments.add("--redis-uri");
      arguments.add(context.redisUri());
    }
    return arguments;
  }

  /** Submits the job and waits until every task runs; returns the job id. */
  static String start(FlinkRestClient flink, Path jobJar, List<String> arguments, Duration timeout)
      throws Exception {
    String jobId = submit(flink, jobJar, arguments);
    awaitTasksRunning(flink, jobId, timeout);
    return jobId;
  }

  /** Uploads the jar, runs the job with parallelism 1, deletes the jar; returns the job id. */
  private static String submit(FlinkRestClient flink, Path jobJar, List<String> arguments)
      throws Exception {
    String jarId = flink.uploadJar(jobJar);
    try {
      return flink.runJar(
          jarId,
          new FlinkRestClient.RunRequest(FeatureJob.class.getName(), arguments, 1, null, false));
    } finally {
      flink.deleteJar(jarId);
    }
  }

  private static void awaitTasksRunning(FlinkRestClient flink, String jobId, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!tasksRunning(flink.get("/jobs/" + jobId))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job's tasks did not start within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** Whether the job and every one of its tasks run. */
  static boolean tasksRunning(JsonNode job) {
    if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!vertex.path("status").asText().equals("RUNNING")) {
        return false;
      }
    }
    return true;
  }

  /** The id of the aggregation task (the vertex the aggregation operator heads). */
  static String aggregationVertex(FlinkRestClient flink, String jobId) throws Exception {
    for (JsonNode vertex : flink.get("/jobs/" + jobId).path("vertices")) {
      if (vertex.path("name").asText().startsWith(AGGREGATION_TASK)) {
        return vertex.path("id").asText();
      }
    }
    throw new IllegalStateException("the job " + jobId + " has no task " + AGGREGATION_TASK);
  }
}
