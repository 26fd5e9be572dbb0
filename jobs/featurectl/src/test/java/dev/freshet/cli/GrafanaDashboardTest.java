package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the dashboard is put together: the job and contract variables filter every query, and the
 * provisioning files load it with the data source it expects. Whether its queries find data is
 * MonitoringITCase's part.
 */
class GrafanaDashboardTest {

  private static final Path GRAFANA = Path.of("../../grafana");

  private final GrafanaDashboard dashboard =
      read(GRAFANA.resolve("dashboards/freshet-freshness.json"));

  @Test
  void hasTheJobAndContractVariables() {
    List<String> names = new ArrayList<>();
    dashboard
        .root()
        .path("templating")
        .path("list")
        .forEach(v -> names.add(v.path("name").asText()));
    assertThat(names).containsExactly("datasource", "job", "contract");
  }

  @Test
  void everyQueryIsFilteredByJobAndEveryContractMetricByContract() {
    for (JsonNode panel : dashboard.panels()) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        String where = panel.path("title").asText() + ": " + expr;
        assertThat(expr).as(where).contains("job_name=~\"$job\"");
        if (expr.contains("_contract_")) {
          assertThat(expr).as(where).contains("contract=~\"$contract\"");
        }
      }
    }
  }

  @Test
  void everyPanelReadsTheDatasourceVariable() {
    assertThat(dashboard.panels()).isNotEmpty();
    for (JsonNode panel : dashboard.panels()) {
      assertThat(panel.path("datasource").path("uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
    }
  }

  @Test
  void eachContractGetsItsOwnFreshnessPanelWithItsSlaLine() {
    JsonNode freshness =
        dashboard.panels().stream()
            .filter(p -> "contract".equals(p.path("repeat").asText()))
            .findFirst()
            .orElseThrow();
    List<String> exprs = new ArrayList<>();
    freshness.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    assertThat(exprs)
        .anySatisfy(e -> assertThat(e).contains("freshnessMs").contains("quantile=\"0.99\""))
        .anySatisfy(e -> assertThat(e).contains("freshnessMs").contains("quantile=\"0.5\""))
        .anySatisfy(e -> assertThat(e).contains("contract_freshnessSlaMs"));
  }

  @Test
  void provisioningDefinesTheDataSourceTheDashboardDefaultsTo() throws Exception {
    String defaultUid = null;
    for (JsonNode variable : dashboard.root().path("templating").path("list")) {
      if ("datasource".equals(variable.path("name").asText())) {
        defaultUid = variable.path("current").path("value").asText();
      }
    }
    String datasources =
        Files.readString(GRAFANA.resolve("provisioning/datasources/freshet-prometheus.yml"));
    assertThat(defaultUid).isNotBlank();
    assertThat(datasources).contains("uid: " + defaultUid).contains("type: prometheus");
    assertThat(Files.readString(GRAFANA.resolve("provisioning/dashboards/freshet.yml")))
        .contains("type: file")
        .contains("path: /var/lib/grafana/dashboards/freshet");
  }

  private static GrafanaDashboard read(Path file) {
    try {
      return GrafanaDashboard.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
