package dev.freshet.online;

import java.io.Serializable;
import org.apache.flink.metrics.MetricGroup;

/**
 * Hears about each row Redis acknowledged as written (not the rows skipped as older). Called on
 * Lettuce's I/O thread, so implementations must be thread-safe and quick.
 *
 * <p>The sink does not know which contract a row belongs to; a listener given by the job that does
 * can measure freshness and rows written per contract. Each writer has its own deserialized copy.
 * An exception thrown by {@link #written} fails the job at the writer's next write or flush, as a
 * failed write does, rather than vanish on the I/O thread.
 */
public interface OnlineWriteListener extends Serializable {

  /** Hears nothing: the default of {@link OnlineSink.Builder#writeListener}. */
  OnlineWriteListener NONE = NoWriteListener.INSTANCE;

  /**
   * Called once per writer, on the task thread, before any write, with the writer's metric group.
   */
  default void open(MetricGroup writerMetricGroup) {}

  /**
   * @param acknowledgedAtMillis wall-clock time of Redis's acknowledgement
   */
  default void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {}
}
