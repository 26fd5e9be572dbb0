package dev.freshet.localflink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The parts of Flink's REST API (the JobManager's, as in Flink 2.2) that submit, list and stop
 * jobs: {@code /jars/upload}, {@code /jars/:jarid/run}, {@code /jobs/overview}, {@code
 * /jobs/:jobid/stop} and {@code /jobs/:jobid/savepoints/:triggerid}. The upload and run endpoints
 * need flink-runtime-web on the JobManager's classpath (Flink's distribution has it).
 */
public final class FlinkRestClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  public FlinkRestClient(URI base) {
    this.base = base;
  }

  /** One job as {@code /jobs/overview} lists it. */
  public record JobOverview(String id, String name, String state, long startTime) {}

  /** How to run an uploaded jar. */
  public record RunRequest(
      String entryClass,
      List<String> programArguments,
      int parallelism,
      String savepointPath,
      boolean allowNonRestoredState) {}

  /** Uploads a jar; returns its id on the cluster (the uploaded file's name). */
  public String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "freshet-" + UUID.randomUUID();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    // Streamed from the file: the job jar is over 100 MB.
    JsonNode answer =
        send(
            HttpRequest.newBuilder(base.resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(
                    HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail))),
            "upload " + jar);
    String filename = answer.path("filename").asText();
    // The jar id is the last path segment of where the JobManager stored the upload.
    return filename.substring(filename.lastIndexOf('/') + 1);
  }

  /** Runs an uploaded jar's main method on the JobManager; returns the job id. */
  public String runJar(String jarId, RunRequest request) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    body.put("entryClass", request.entryClass());
    body.putPOJO("programArgsList", request.programArguments());
    body.put("parallelism", request.parallelism());
    if (request.savepointPath() != null) {
      body.put("savepointPath", request.savepointPath());
      body.put("allowNonRestoredState", request.allowNonRestoredState());
    }
    JsonNode answer =
        send(
            HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))),
            "run jar " + jarId);
    return answer.path("jobid").asText();
  }

  /** Removes an uploaded jar from the JobManager's upload directory. */
  public void deleteJar(String jarId) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(base.resolve("/jars/" + jarId)).DELETE(), "delete jar " + jarId);
  }

  public List<JobOverview> jobs() throws IOException, InterruptedException {
    JsonNode answer =
        send(HttpRequest.newBuilder(base.resolve("/jobs/overview")).GET(), "list jobs");
    List<JobOverview> jobs = new ArrayList<>();
    for (JsonNode job : answer.path("jobs")) {
      jobs.add(
          new JobOverview(
              job.path("jid").asText(),
              job.path("name").asText(),
              job.path("state").asText(),
              job.path("start-time").asLong()));
    }
    return jobs;
  }

  /**
   * Stops the job with a savepoint and returns the savepoint's path once it is complete. Without
   * draining: a drained job would fire every window first, and the restored job would emit those
   * windows again.
   *
   * @param targetDirectory null for the cluster's {@code execution.checkpointing.savepoint-dir}
   */
  public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode();
    body.put("drain", false);
    if (targetDirectory != null) {
      body.put("targetDirectory", targetDirectory);
    }
    JsonNode trigger =
        send(
            HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))),
            "stop job " + jobId);
    String triggerId = trigger.path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode status =
          send(
              HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/savepoints/" + triggerId))
                  .GET(),
              "savepoint status of job " + jobId);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IOException(
              "The savepoint of job "
                  + jobId
                  + " failed: "
                  + operation
                      .path("failure-cause")
                      .path("stack-trace")
                      .asText()
                      .lines()
                      .findFirst()
                      .orElse("no cause given"));
        }
        return operation.path("location").asText();
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "The savepoint of job " + jobId + " did not complete within " + timeout);
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /**
   * Any other GET of the REST API, e.g. {@code /jobs/:jobid} or {@code /jobs/:jobid/checkpoints};
   * the answer's JSON.
   */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), "get " + path);
  }

  /** Cancels a job without a savepoint; it ends CANCELED shortly after. */
  public void cancel(String jobId) throws IOException, InterruptedException {
    send(
        HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()),
        "cancel job " + jobId);
  }

  private JsonNode send(HttpRequest.Builder request, String what)
      throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response =
          http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IOException(
          "No Flink cluster answers at " + base + " (start one: featurectl cluster start)", e);
    }
    JsonNode body =
        response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
    if (response.statusCode() >= 300) {
      List<String> errors = new ArrayList<>();
      body.path("errors").forEach(error -> errors.add(firstLines(error.asText())));
      throw new IOException(
          "Flink at "
              + base
              + " refused to "
              + what
              + " (HTTP "
              + response.statusCode()
              + "): "
              + String.join("; ", errors));
    }
    return body;
  }

  /** Flink's errors carry whole stack traces; the first line and the causes say what went wrong. */
  private static String firstLines(String error) {
    List<String> lines = error.lines().toList();
    List<String> kept = new ArrayList<>();
    if (!lines.isEmpty()) {
      kept.add(lines.get(0));
    }
    lines.stream().filter(line -> line.startsWith("Caused by:")).forEach(kept::add);
    return String.join(" | ", kept);
  }
}
