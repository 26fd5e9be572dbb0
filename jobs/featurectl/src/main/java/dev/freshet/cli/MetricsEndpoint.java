package dev.freshet.cli;

import org.apache.flink.configuration.Configuration;

/**
 * Flink's Prometheus reporter on an embedded cluster: every JobManager and TaskManager metric at
 * {@code http://localhost:PORT/metrics}. On a real cluster the reporter comes from Flink's plugins
 * directory with the same two settings in its config.yaml.
 */
final class MetricsEndpoint {

  static final String FACTORY_CLASS_KEY = "metrics.reporter.prom.factory.class";
  static final String PORT_KEY = "metrics.reporter.prom.port";
  static final String FACTORY_CLASS =
      "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

  private MetricsEndpoint() {}

  static void enable(Configuration conf, int port) {
    conf.setString(FACTORY_CLASS_KEY, FACTORY_CLASS);
    conf.setString(PORT_KEY, Integer.toString(port));
  }
}
