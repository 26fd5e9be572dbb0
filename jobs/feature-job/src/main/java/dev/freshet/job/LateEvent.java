package dev.freshet.job;

/**
 * An event the aggregation refused as late, with the watermark that made it late: how far behind an
 * event was says whether it was a straggler or the watermark ran ahead of its input. A Flink POJO.
 */
public class LateEvent {

  public FeatureInput input;

  /** The aggregation's watermark when the event came. */
  public long watermark;

  public LateEvent() {}

  public LateEvent(FeatureInput input, long watermark) {
    this.input = input;
    this.watermark = watermark;
  }
}
