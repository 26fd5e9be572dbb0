package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The parts of Prometheus's HTTP API (/api/v1) the monitoring test reads. */
final class PrometheusApi {

  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  PrometheusApi(URI base) {
    this.base = base;
  }

  /**
   * The series an instant query returns ({@code data.result}).
   *
   * @throws IllegalStateException if Prometheus rejects the query, with its error
   */
  JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode answer =
        get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"success".equals(answer.path("status").asText())) {
      throw new IllegalStateException(
          "Prometheus rejected " + promql + ": " + answer.path("error").asText());
    }
    return answer.path("data").path("result");
  }

  /** Every rule of every loaded group, with its health and last error. */
  JsonNode ruleGroups() throws IOException, InterruptedException {
    return get("/api/v1/rules").path("data").path("groups");
  }

  private JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofString());
    return json.readTree(response.body());
  }
}
