package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusServerProcessITCase {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void scrapesItsTargetsAndEvaluatesItsRules(@TempDir Path dir) throws Exception {
    assertThat(PrometheusServerProcess.binaryAvailable()).as("prometheus on the PATH").isTrue();
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        "/metrics",
        exchange -> {
          byte[] body = "freshet_test_answer 21\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    target.start();
    Path rules =
        Files.writeString(
            dir.resolve("rules.yml"),
            """
            groups:
              - name: test
                rules:
                  - record: freshet_test_answer_doubled
                    expr: freshet_test_answer * 2
            """);
    try (PrometheusServerProcess prometheus =
        PrometheusServerProcess.start(
            dir.resolve("prometheus"),
            List.of("127.0.0.1:" + target.getAddress().getPort()),
            List.of(rules),
            Duration.ofMillis(500))) {
      String answer = awaitSeries(prometheus.uri(), "freshet_test_answer_doubled");
      assertThat(answer)
          .contains("\"job\":\"" + PrometheusServerProcess.SCRAPE_JOB + "\"")
          .contains("\"42\"");
    } finally {
      target.stop(0);
    }
  }

  @Test
  void aRuleFileThatDoesNotParseFailsTheStartWithPrometheussOwnMessage(@TempDir Path dir)
      throws IOException {
    Path rules =
        Files.writeString(
            dir.resolve("broken.yml"),
            """
            groups:
              - name: broken
                rules:
                  - alert: Broken
                    expr: sum(
            """);
    assertThatThrownBy(
            () ->
                PrometheusServerProcess.start(
                    dir.resolve("prometheus"), List.of(), List.of(rules), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prometheus exited")
        .hasMessageContaining("broken.yml");
  }

  /** The query's JSON answer once it holds a series; fails after 30 s. */
  private String awaitSeries(URI prometheus, String query) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      body =
          http.send(
                  HttpRequest.newBuilder(
                          prometheus.resolve(
                              "/api/v1/query?query="
                                  + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (body.contains("\"metric\"")) {
        return body;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no series for " + query + " within 30 s; last answer: " + body);
  }
}
