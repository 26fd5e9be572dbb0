package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * The sketches behind {@code distinct_count} (an HLL sketch) and {@code top_k} (a frequent-items
 * sketch), kept in state as their serialized bytes so tiles stay plain Flink POJOs. A null sketch
 * is an empty one.
 */
final class Sketches {

  /**
   * The frequent-items map size of one tile: exact counts while a window holds at most 0.75 × 1024
   * distinct values, and memory bounded however many there are.
   */
  static final int TOP_K_MAP_SIZE = 1024;

  private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

  private Sketches() {}

  /** The sketch with {@code item} added. */
  static byte[] add(Aggregation aggregation, byte[] sketch, String item) {
    if (aggregation == Aggregation.DISTINCT_COUNT) {
      HllSketch hll =
          sketch == null ? new HllSketch(Aggregation.HLL_LG_K) : HllSketch.heapify(sketch);
      hll.update(item);
      return hll.toCompactByteArray();
    }
    ItemsSketch<String> items = sketch == null ? new ItemsSketch<>(TOP_K_MAP_SIZE) : items(sketch);
    items.update(item);
    return items.toByteArray(STRINGS);
  }

  /** One sketch of both sketches' items. */
  static byte[] merge(Aggregation aggregation, byte[] sketch, byte[] other) {
    if (other == null) {
      return sketch;
    }
    if (sketch == null) {
      return other.clone();
    }
    if (aggregation == Aggregation.DISTINCT_COUNT) {
      Union union = new Union(Aggregation.HLL_LG_K);
      union.update(HllSketch.heapify(sketch));
      union.update(HllSketch.heapify(other));
      return union.getResult(TgtHllType.HLL_4).toCompactByteArray();
    }
    return items(sketch).merge(items(other)).toByteArray(STRINGS);
  }

  /** The estimated number of distinct items of all the sketches, rounded to a whole number. */
  static long distinctCount(List<byte[]> sketches) {
    Union union = new Union(Aggregation.HLL_LG_K);
    for (byte[] sketch : sketches) {
      union.update(HllSketch.heapify(sketch));
    }
    return Math.round(union.getEstimate());
  }

  /**
   * The {@code k} most frequent items of all the sketches, most frequent first; equal counts put
   * the smaller item first, so the order never depends on arrival order.
   */
  static String[] topK(List<byte[]> sketches, int k) {
    ItemsSketch<String> merged = new ItemsSketch<>(TOP_K_MAP_SIZE);
    for (byte[] sketch : sketches) {
      merged.merge(items(sketch));
    }
    return Arrays.stream(merged.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES))
        .sorted(
            Comparator.comparingLong(ItemsSketch.Row<String>::getEstimate)
                .reversed()
                .thenComparing(ItemsSketch.Row::getItem))
        .limit(k)
        .map(ItemsSketch.Row::getItem)
        .toArray(String[]::new);
  }

  private static ItemsSketch<String> items(byte[] sketch) {
    return ItemsSketch.getInstance(Memory.wrap(sketch), STRINGS);
  }
}
