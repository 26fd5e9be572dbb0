package dev.freshet.bench.freshness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When the input for each feature time had arrived: the moment from which the job could have made a
 * row of that time available, had it no latency of its own.
 *
 * <p>A row of feature time T comes from a timer at T - 1 ms, which fires once the aggregation's
 * watermark reaches it. That watermark is the lowest of every input partition's, and a partition's
 * watermark trails the latest event time it carried by a lag: the out-of-orderness, and for file
 * events also the rename timeout the normalizer holds them back by. So the input for T was complete
 * once every partition had carried an event time of at least T plus its lag; that partition's last
 * such record landed at its broker append time. The latest of those appends, over all partitions,
 * is when T was ready.
 */
public final class ReadyTimes {

  private final Map<String, Partition> partitions = new HashMap<>();

  /** Declares a partition, so that T is not ready before it carried anything. */
  synchronized void expect(String topic, int partition, long lagMillis) {
    partitions.putIfAbsent(topic + "-" + partition, new Partition(lagMillis));
  }

  /**
   * Notes one record as its append is acknowledged; records of a partition must be given in their
   * order in it, as a producer's callbacks are.
   */
  synchronized void appended(String topic, int partition, long eventTime, long appendTime) {
    Partition series = partitions.get(topic + "-" + partition);
    if (series == null) {
      throw new IllegalStateException("partition " + topic + "-" + partition + " not expected");
    }
    series.add(eventTime, appendTime);
  }

  /**
   * The broker time at which the input for feature time {@code featureTime} was complete, or -1
   * when it never was while traffic ran.
   */
  public synchronized long readyAt(long featureTime) {
    long ready = Long.MIN_VALUE;
    for (Partition partition : partitions.values()) {
      long at = partition.firstAppendCarrying(featureTime + partition.lagMillis);
      if (at < 0) {
        return -1;
      }
      ready = Math.max(ready, at);
    }
    return partitions.isEmpty() ? -1 : ready;
  }

  /** One partition's appends: the latest event time it had carried by each of them. */
  private static final class Partition {
    private final long lagMillis;
    private final List<long[]> latestEventTimeAndAppend = new ArrayList<>();
    private long latestEventTime = Long.MIN_VALUE;

    Partition(long lagMillis) {
      this.lagMillis = lagMillis;
    }

    void add(long eventTime, long appendTime) {
      if (eventTime > latestEventTime) {
        latestEventTime = eventTime;
        latestEventTimeAndAppend.add(new long[] {eventTime, appendTime});
      }
    }

    /** The append time of the first record that brought the latest event time to at least t. */
    long firstAppendCarrying(long eventTime) {
      int low = 0;
      int high = latestEventTimeAndAppend.size() - 1;
      long found = -1;
      while (low <= high) {
        int middle = (low + high) >>> 1;
        long[] entry = latestEventTimeAndAppend.get(middle);
        if (entry[0] >= eventTime) {
          found = entry[1];
          high = middle - 1;
        } else {
          low = middle + 1;
        }
      }
      return found;
    }
  }
}
