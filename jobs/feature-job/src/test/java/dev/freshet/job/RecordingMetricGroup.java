package dev.freshet.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps what is registered in it, by path: {@code contract=a/sink=delta/
 * rowsWritten}. Metrics registered under the same path share one store.
 */
final class RecordingMetricGroup extends UnregisteredMetricsGroup {

  private final String prefix;
  private final Map<String, Metric> metrics;

  RecordingMetricGroup() {
    this("", new ConcurrentHashMap<>());
  }

  private RecordingMetricGroup(String prefix, Map<String, Metric> metrics) {
    this.prefix = prefix;
    this.metrics = metrics;
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return new RecordingMetricGroup(prefix + key + "=" + value + "/", metrics);
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new RecordingMetricGroup(prefix + name + "/", metrics);
  }

  @Override
  public Counter counter(String name) {
    return counter(name, new SimpleCounter());
  }

  @Override
  public <C extends Counter> C counter(String name, C counter) {
    metrics.put(prefix + name, counter);
    return counter;
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    metrics.put(prefix + name, gauge);
    return gauge;
  }

  @Override
  public <H extends Histogram> H histogram(String name, H histogram) {
    metrics.put(prefix + name, histogram);
    return histogram;
  }

  long count(String path) {
    Metric metric = metrics.get(path);
    if (metric instanceof Counter counter) {
      return counter.getCount();
    }
    if (metric instanceof Histogram histogram) {
      return histogram.getCount();
    }
    throw new AssertionError("no counter or histogram at " + path + "; have " + metrics.keySet());
  }

  Histogram histogram(String path) {
    if (metrics.get(path) instanceof Histogram histogram) {
      return histogram;
    }
    throw new AssertionError("no histogram at " + path + "; have " + metrics.keySet());
  }

  boolean has(String path) {
    return metrics.containsKey(path);
  }
}
