package dev.freshet.bench;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * The lowest input watermark of a job's sink writers, read live: a writer has written everything
 * before its input watermark, so this is how far in event time the whole job is done. Operators
 * that see only an idle topic never get a watermark, and sink committers see theirs only at
 * checkpoints, so neither counts. Gauges are kept once found: an operator that has not registered
 * its gauge yet has processed nothing.
 */
final class SinkWatermarks {

  /** How Flink names the writer operator of every sink2 sink: {@code <sink name>: Writer}. */
  private static final String SINK_WRITER = ": Writer.";

  private final InMemoryReporter reporter;
  private final JobID jobId;
  private final Map<String, Gauge<?>> watermarks = new HashMap<>();

  SinkWatermarks(InMemoryReporter reporter, JobID jobId) {
    this.reporter = reporter;
    this.jobId = jobId;
  }

  /** The lowest, in epoch milliseconds; {@link Long#MIN_VALUE} before any writer has one. */
  long lowest() {
    for (Map.Entry<String, Metric> metric :
        reporter.findMetrics(jobId, "currentInputWatermark").entrySet()) {
      if (metric.getKey().contains(SINK_WRITER) && metric.getValue() instanceof Gauge<?> gauge) {
        watermarks.putIfAbsent(metric.getKey(), gauge);
      }
    }
    long lowest = Long.MAX_VALUE;
    for (Gauge<?> gauge : watermarks.values()) {
      lowest = Math.min(lowest, ((Number) gauge.getValue()).longValue());
    }
    return watermarks.isEmpty() ? Long.MIN_VALUE : lowest;
  }
}
