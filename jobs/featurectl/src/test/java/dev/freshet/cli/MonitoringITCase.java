package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.events.EventGenerator;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import dev.freshet.localstack.LoopbackPorts;
import dev.freshet.localstack.PrometheusServerProcess;
import dev.freshet.testsupport.Await;
import dev.freshet.testsupport.Deadline;
import dev.freshet.testsupport.KafkaTestBroker;
import dev.freshet.testsupport.RedisTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring as users deploy it, against a real Prometheus: the feature job with every shipped
 * contract, Delta and Redis sinks, runs on a MiniCluster with Flink's Prometheus reporter and is
 * fed live traffic; a Prometheus server scrapes it and evaluates
 * grafana/prometheus/freshet-alerts.yml. Every query of the Grafana dashboard must return a series,
 * every alert rule must evaluate without error, and each contract's SLA line must be that
 * contract's own freshness_sla.
 */
class MonitoringITCase {

  private static final Path REPOSITORY = Path.of("../..");
  private static final Path DASHBOARD =
      REPOSITORY.resolve("grafana/dashboards/freshet-freshness.json");
  private static final Path ALERT_RULES =
      REPOSITORY.resolve("grafana/prometheus/freshet-alerts.yml");

  private static final Pattern METRIC_SELECTOR =
      Pattern.compile("flink_[A-Za-z0-9_:]+(\\{[^}]*\\})?");

  /** Long enough for minute-hop windows to close once and for rates to have samples. */
  private static final Duration SERIES_DEADLINE = Duration.ofSeconds(150);

  private static final int METRICS_PORT = LoopbackPorts.pickFree(1)[0];

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(reporterConfiguration())
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
  private static final RedisTestServer REDIS = RedisTestServer.shared();

  @TempDir Path tmp;

  @Test
  void everyDashboardQueryReturnsSeriesAndEveryAlertRuleEvaluates() throws Exception {
    assertThat(PrometheusServerProcess.binaryAvailable())
        .as("prometheus on the PATH (Debian package prometheus; .ci/run installs it)")
        .isTrue();
    List<Contract> contracts = new ContractLoader().loadDirectory(REPOSITORY.resolve("contracts"));
    GrafanaDashboard dashboard = GrafanaDashboard.read(DASHBOARD);

    String id = UUID.randomUUID().toString().substring(0, 8);
    String behaviourTopic = "behaviour-" + id;
    String fileTopic = "file-" + id;
    BROKER.createTopics(Map.of(behaviourTopic, 2, fileTopic, 2, "dead-letters-" + id, 1));
    EventGenerator generator =
        EventGenerator.builder()
            .seed(11)
            .fileObservationsPerSecond(150)
            .malformedShare(0.01)
            .keepFileTruth(false)
            .build();
    try (TrafficGenerator traffic =
            new TrafficGenerator(
                BROKER.bootstrapServers(), generator, 300, behaviourTopic, fileTopic);
        PrometheusServerProcess prometheus =
            PrometheusServerProcess.start(
                tmp.resolve("prometheus"),
                List.of("127.0.0.1:" + METRICS_PORT),
                List.of(ALERT_RULES),
                Duration.ofSeconds(1))) {
      traffic.start();
      JobClient job = startJob(contracts, id);
      try {
        PrometheusApi api = new PrometheusApi(prometheus.uri());
        // One deadline for every wait, so that a failure lists every query still empty at it.
        Deadline deadline = Deadline.after(SERIES_DEADLINE);

        List<String> empty = new ArrayList<>();
        for (GrafanaDashboard.Query query : dashboard.panelQueries()) {
          if (awaitSeries(api, query.promql(), deadline).isEmpty()) {
            empty.add(query.shownIn() + ": " + query.promql());
          }
        }
        assertThat(empty).as("dashboard queries without any series").isEmpty();
        for (GrafanaDashboard.VariableQuery variable : dashboard.variableQueries()) {
          JsonNode series = awaitSeries(api, variable.selector(), deadline);
          assertThat(series).as("series for variable %s", variable.variable()).isNotEmpty();
          series.forEach(
              s ->
                  assertThat(s.path("metric").has(variable.label())).as(variable.label()).isTrue());
        }

        // Each operator registers its gauges when it opens, so contracts appear one by one.
        Map<String, Long> declaredSla = declaredSlaMillis(contracts);
        assertThat(awaitAnswer(() -> slaMillisByContract(api), declaredSla::equals, deadline))
            .as("each contract's SLA line")
            .isEqualTo(declaredSla);
        assertThat(
                awaitAnswer(
                    () ->
                        labelValues(
                            api.query(
                                "count by (sink) (flink_taskmanager_job_task_operator_contract_sink_freshnessMs_count)"),
                            "sink"),
                    sinks -> sinks.containsAll(List.of("delta", "online")),
                    deadline))
            .as("sinks with freshness")
            .containsExactlyInAnyOrder("delta", "online");

        List<String> unmatched = new ArrayList<>();
        for (String selector : metricSelectors(ALERT_RULES)) {
          if (awaitSeries(api, selector, deadline).isEmpty()) {
            unmatched.add(selector);
          }
        }
        assertThat(unmatched).as("alert rule selectors that match no series").isEmpty();
        assertEveryRuleEvaluatesWithoutError(api, deadline);
      } finally {
        cancelAndAwaitTasksEnded(job);
      }
    }
  }

  /**
   * A cancel is acknowledged before the tasks stop; until the job is CANCELED its Delta writers may
   * still create files under the temporary directory that JUnit is deleting.
   */
  private static void cancelAndAwaitTasksEnded(JobClient job) throws Exception {
    job.cancel().get(30, TimeUnit.SECONDS);
    Await.until(
        "job " + job.getJobID() + " cancelled",
        Duration.ofSeconds(60),
        () -> job.getJobStatus().join().isGloballyTerminalState());
  }

  private JobClient startJob(List<Contract> contracts, String id) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(1_000);
    FeatureJob.build(
        env,
        contracts,
        FeatureJobConfig.builder()
            .bootstrapServers(BROKER.bootstrapServers())
            .behaviourTopic("behaviour-" + id)
            .fileTopic("file-" + id)
            .deadLetterTopic("dead-letters-" + id)
            .consumerGroup("monitoring-" + id)
            .deltaBasePath(tmp.resolve("delta").toString())
            .deltaAppId("monitoring-" + id)
            .redisUri(REDIS.uri())
            .build());
    return env.executeAsync("freshet monitoring under test");
  }

  /**
   * Every metric selector in the rule file's expressions, label matchers included: a rule whose
   * selector matches nothing evaluates "ok" and never fires, so each must find series.
   */
  private static Set<String> metricSelectors(Path rules) throws IOException {
    Set<String> selectors = new TreeSet<>();
    for (String line : Files.readAllLines(rules)) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      Matcher selector = METRIC_SELECTOR.matcher(line);
      while (selector.find()) {
        selectors.add(selector.group());
      }
    }
    assertThat(selectors).as("selectors in %s", rules).isNotEmpty();
    return selectors;
  }

  /** The query's series once it has any, or none at the deadline. */
  private static JsonNode awaitSeries(PrometheusApi api, String promql, Deadline deadline)
      throws Exception {
    return awaitAnswer(() -> api.query(promql), series -> !series.isEmpty(), deadline);
  }

  /** The first answer that is complete, or the last one at the deadline, for the assertion. */
  private static <T> T awaitAnswer(Callable<T> query, Predicate<T> complete, Deadline deadline)
      throws Exception {
    while (true) {
      T answer = query.call();
      if (complete.test(answer) || deadline.hasPassed()) {
        return answer;
      }
      Thread.sleep(1_000);
    }
  }

  private static Map<String, Long> slaMillisByContract(PrometheusApi api) throws Exception {
    Map<String, Long> sla = new HashMap<>();
    for (JsonNode series :
        api.query(
            "max by (contract) (flink_taskmanager_job_task_operator_contract_freshnessSlaMs)")) {
      sla.put(
          series.path("metric").path("contract").asText(),
          (long) Double.parseDouble(series.path("value").get(1).asText()));
    }
    return sla;
  }

  private static Map<String, Long> declaredSlaMillis(List<Contract> contracts) {
    Map<String, Long> sla = new LinkedHashMap<>();
    contracts.forEach(c -> sla.put(c.id(), c.freshnessSla().toMillis()));
    return sla;
  }

  private static List<String> labelValues(JsonNode series, String label) {
    List<String> values = new ArrayList<>();
    series.forEach(s -> values.add(s.path("metric").path(label).asText()));
    return values;
  }

  /** Waits until every rule was evaluated once; then none may report an error. */
  private static void assertEveryRuleEvaluatesWithoutError(PrometheusApi api, Deadline deadline)
      throws Exception {
    Map<String, String> healthByRule =
        awaitAnswer(
            () -> healthByRule(api),
            health -> !health.isEmpty() && !health.containsValue("unknown"),
            deadline);
    assertThat(healthByRule)
        .as("health of each alert rule")
        .containsOnlyKeys(
            "FreshetFreshnessSlaBreach",
            "FreshetDeadLetterSpike",
            "FreshetConsumerLagGrowing",
            "FreshetCheckpointsFailing",
            "FreshetExpressionErrors",
            "FreshetOnlineStoreUnreachable")
        .allSatisfy((rule, health) -> assertThat(health).as(rule).isEqualTo("ok"));
  }

  /** Each rule's health, or its last error when it has one. */
  private static Map<String, String> healthByRule(PrometheusApi api) throws Exception {
    Map<String, String> healthByRule = new LinkedHashMap<>();
    for (JsonNode group : api.ruleGroups()) {
      for (JsonNode rule : group.path("rules")) {
        String health = rule.path("health").asText();
        String error = rule.path("lastError").asText("");
        healthByRule.put(rule.path("name").asText(), error.isEmpty() ? health : error);
      }
    }
    return healthByRule;
  }

  private static Configuration reporterConfiguration() {
    Configuration conf = new Configuration();
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    MetricsEndpoint.enable(conf, METRICS_PORT);
    return conf;
  }
}
