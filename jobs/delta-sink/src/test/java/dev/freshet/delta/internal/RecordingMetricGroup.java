package dev.freshet.delta.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that keeps what is registered on it and on its subgroups, so a test reads the
 * metrics back the way a reporter would find them.
 */
final class RecordingMetricGroup extends UnregisteredMetricsGroup {

  private final Map<String, RecordingMetricGroup> subgroups = new LinkedHashMap<>();
  private final Map<String, Metric> metrics = new LinkedHashMap<>();

  /** The key-value subgroup, as {@code addGroup(key, value)} created it. */
  RecordingMetricGroup subgroup(String key, String value) {
    RecordingMetricGroup subgroup = subgroups.get(key + "=" + value);
    if (subgroup == null) {
      throw new AssertionError(
          "No metric group " + key + "=" + value + " in " + subgroups.keySet());
    }
    return subgroup;
  }

  <M extends Metric> M metric(String name, Class<M> type) {
    Metric metric = metrics.get(name);
    if (metric == null) {
      throw new AssertionError("No metric '" + name + "' in " + metrics.keySet());
    }
    return type.cast(metric);
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return subgroups.computeIfAbsent(key + "=" + value, name -> new RecordingMetricGroup());
  }

  @Override
  public Counter counter(String name) {
    return counter(name, new SimpleCounter());
  }

  @Override
  public <C extends Counter> C counter(String name, C counter) {
    return register(name, counter);
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    return register(name, gauge);
  }

  @Override
  public <H extends Histogram> H histogram(String name, H histogram) {
    return register(name, histogram);
  }

  private <M extends Metric> M register(String name, M metric) {
    if (metrics.putIfAbsent(name, metric) != null) {
      throw new AssertionError("Metric '" + name + "' registered twice");
    }
    return metric;
  }
}
