package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queries of a Grafana dashboard JSON, as Grafana would send them to Prometheus with every
 * template variable at "All".
 */
final class GrafanaDashboard {

  /** What Grafana puts in place of its variables: "All" is the variables' allValue, .* */
  static final Map<String, String> ALL_SELECTED =
      Map.of(
          "$job", ".*",
          "$contract", ".*",
          "$__rate_interval", "15s",
          "$__range", "1m");

  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");

  /** One query: where it is shown and its PromQL. */
  record Query(String shownIn, String promql) {}

  /** A variable's {@code label_values(selector, label)}: the selector must yield that label. */
  record VariableQuery(String variable, String selector, String label) {}

  private final JsonNode root;

  private GrafanaDashboard(JsonNode root) {
    this.root = root;
  }

  static GrafanaDashboard read(Path file) throws IOException {
    return new GrafanaDashboard(new ObjectMapper().readTree(file.toFile()));
  }

  JsonNode root() {
    return root;
  }

  /** Every panel that is not a row, rows' nested panels included. */
  List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : root.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }

  /** Every target's expression, with the variables at "All". */
  List<Query> panelQueries() {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(
            new Query(
                panel.path("title").asText() + " / " + target.path("refId").asText(),
                substitute(target.path("expr").asText())));
      }
    }
    return queries;
  }

  /** The query variables' {@code label_values} lookups, with the variables at "All". */
  List<VariableQuery> variableQueries() {
    List<VariableQuery> queries = new ArrayList<>();
    for (JsonNode variable : root.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      String definition = variable.path("query").path("query").asText();
      Matcher matcher = LABEL_VALUES.matcher(definition);
      if (!matcher.matches()) {
        throw new IllegalArgumentException(
            "variable "
                + variable.path("name").asText()
                + " is not label_values(..): "
                + definition);
      }
      queries.add(
          new VariableQuery(
              variable.path("name").asText(), substitute(matcher.group(1)), matcher.group(2)));
    }
    return queries;
  }

  private static String substitute(String promql) {
    String result = promql;
    for (Map.Entry<String, String> variable : ALL_SELECTED.entrySet()) {
      result = result.replace(variable.getKey(), variable.getValue());
    }
    return result;
  }
}
