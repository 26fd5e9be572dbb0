package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.FeatureExpressions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Computes every contract's windowed features per entity from time-bucketed tiles in keyed state.
 *
 * <p>Keyed by (contract, entity). An event is folded into the tile of its event time. When the
 * watermark passes a window end T, every feature whose window closes at T is recomputed from the
 * tiles in [T - size, T), and the entity's row is emitted if any value changed (at most once per
 * the contract's emit interval, when it has one: a held-back change is written at the first window
 * end after the interval). Tiles no window can use any more are evicted at each window end; once no
 * tiles remain and every value is back to empty, the key's state is cleared and no timer is left.
 * State also carries the contract's TTL (processing time), a memory bound for entities whose
 * watermark stalls.
 *
 * <p>An event is late when it is more than the contract's allowed lateness behind the watermark, or
 * when its tile was already evicted. Late events go to {@link #LATE_EVENTS} and are counted; an
 * accepted event that is behind the watermark only changes windows that have not closed yet.
 */
public class TileAggregator extends KeyedProcessFunction<String, FeatureInput, FeatureRow> {

  public static final OutputTag<FeatureInput> LATE_EVENTS =
      new OutputTag<>("late-events", TypeInformation.of(FeatureInput.class));

  private final Map<String, ContractPlan> plans;

  private transient Map<String, MapState<Long, Tile>> tilesByContract;
  private transient Map<String, ValueState<double[]>> valuesByContract;
  private transient Map<String, ValueState<double[]>> writtenByContract;
  private transient Map<String, ValueState<Long>> writtenAtByContract;
  private transient Map<String, Counter> lateEventsByContract;
  private transient Map<String, List<FeatureExpressions.Program>> derivedByContract;

  public TileAggregator(List<ContractPlan> plans) {
    this.plans = new HashMap<>();
    plans.forEach(plan -> this.plans.put(plan.name, plan));
  }

  @Override
  public void open(OpenContext openContext) {
    tilesByContract = new HashMap<>();
    valuesByContract = new HashMap<>();
    writtenByContract = new HashMap<>();
    writtenAtByContract = new HashMap<>();
    lateEventsByContract = new HashMap<>();
    derivedByContract = new HashMap<>();
    for (ContractPlan plan : plans.values()) {
      StateTtlConfig ttl =
          StateTtlConfig.newBuilder(plan.stateTtl)
              .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
              .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
              .build();
      MapStateDescriptor<Long, Tile> tiles =
          new MapStateDescriptor<>(
              "tiles." + plan.name, Types.LONG, TypeInformation.of(Tile.class));
      tiles.enableTimeToLive(ttl);
      ValueStateDescriptor<double[]> values =
          new ValueStateDescriptor<>("values." + plan.name, TypeInformation.of(double[].class));
      values.enableTimeToLive(ttl);
      valuesByContract.put(plan.name, getRuntimeContext().getState(values));
      if (plan.emitMinIntervalMillis > 0) {
        ValueStateDescriptor<double[]> written =
            new ValueStateDescriptor<>("written." + plan.name, TypeInformation.of(double[].class));
        written.enableTimeToLive(ttl);
        writtenByContract.put(plan.name, getRuntimeContext().getState(written));
        ValueStateDescriptor<Long> writtenAt =
            new ValueStateDescriptor<>("written-at." + plan.name, Types.LONG);
        writtenAt.enableTimeToLive(ttl);
        writtenAtByContract.put(plan.name, getRuntimeContext().getState(writtenAt));
      }
      FeatureExpressions expressions = new FeatureExpressions(plan.features);
      derivedByContract.put(
          plan.name, plan.derivedExpressions.stream().map(expressions::program).toList());
      tilesByContract.put(plan.name, getRuntimeContext().getMapState(tiles));
      lateEventsByContract.put(
          plan.name,
          getRuntimeContext()
              .getMetricGroup()
              .addGroup("contract", plan.name)
              .counter("lateEvents"));
    }
  }

  @Override
  public void processElement(FeatureInput input, Context ctx, Collector<FeatureRow> out)
      throws Exception {
    ContractPlan plan = plans.get(input.contract);
    long watermark = ctx.timerService().currentWatermark();
    long tileStart = plan.tileStart(input.eventTime);
    if (isLate(plan, input.eventTime, tileStart, watermark)) {
      lateEventsByContract.get(plan.name).inc();
      ctx.output(LATE_EVENTS, input);
      return;
    }
    MapState<Long, Tile> tiles = tilesByContract.get(plan.name);
    Tile tile = tiles.get(tileStart);
    if (tile == null) {
      tile = Tile.empty(plan.featureCount());
    }
    tile.add(input.inputs, input.eventTime);
    tiles.put(tileStart, tile);

    // A timer fires at (window end - 1) and must lie after the watermark, or it would fire for a
    // window that already closed.
    long earliestOpenWindowEnd = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark + 2;
    long windowEnd =
        plan.firstWindowEndAtOrAfter(Math.max(tileStart + plan.tileMillis, earliestOpenWindowEnd));
    ctx.timerService().registerEventTimeTimer(windowEnd - 1);
  }

  private static boolean isLate(ContractPlan plan, long eventTime, long tileStart, long watermark) {
    if (watermark == Long.MIN_VALUE) {
      return false;
    }
    boolean beyondLateness = eventTime <= watermark - plan.allowedLatenessMillis;
    boolean tileEvicted = tileStart + plan.largestWindowMillis <= watermark + 1;
    return beyondLateness || tileEvicted;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out)
      throws Exception {
    String key = ctx.getCurrentKey();
    ContractPlan plan = plans.get(FeatureInput.contractOf(key));
    MapState<Long, Tile> tiles = tilesByContract.get(plan.name);
    ValueState<double[]> values = valuesByContract.get(plan.name);
    long windowEnd = timestamp + 1;

    List<Map.Entry<Long, Tile>> all = new ArrayList<>();
    tiles.iterator().forEachRemaining(all::add);
    // In time order, so the same tiles always sum to the same bits and "changed" means changed.
    all.sort(Map.Entry.comparingByKey());

    double[] previous = values.value();
    double[] empty = plan.emptyValues();
    double[] current = previous == null ? empty.clone() : previous.clone();
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.closesAt(f, windowEnd)) {
        current[f] = aggregate(plan, f, all, windowEnd - plan.sizeMillis[f], windowEnd);
      }
    }

    boolean anyTileLeft = false;
    for (Map.Entry<Long, Tile> entry : all) {
      if (entry.getKey() + plan.largestWindowMillis <= windowEnd) {
        tiles.remove(entry.getKey());
      } else {
        anyTileLeft = true;
      }
    }

    boolean changed = !sameValues(current, previous == null ? empty : previous);
    if (changed) {
      values.update(current);
    }
    boolean rateLimited = plan.emitMinIntervalMillis > 0;
    double[] written = rateLimited ? writtenByContract.get(plan.name).value() : previous;
    boolean unwritten = !sameValues(current, written == null ? empty : written);
    if (unwritten && (!rateLimited || intervalPassed(plan, windowEnd))) {
      out.collect(
          new FeatureRow(
              plan.name, FeatureInput.entityOf(key), windowEnd, withDerived(plan, current)));
      written = current;
      if (rateLimited) {
        writtenByContract.get(plan.name).update(current);
        writtenAtByContract.get(plan.name).update(windowEnd);
      }
    }
    // A change the emit interval held back keeps the key alive until it is written.
    boolean settled = written == null || sameValues(written, empty);
    if (!anyTileLeft && sameValues(current, empty) && settled) {
      tiles.clear();
      values.clear();
      if (rateLimited) {
        writtenByContract.get(plan.name).clear();
        writtenAtByContract.get(plan.name).clear();
      }
    } else {
      ctx.timerService().registerEventTimeTimer(plan.firstWindowEndAtOrAfter(windowEnd + 1) - 1);
    }
  }

  private static double aggregate(
      ContractPlan plan, int f, List<Map.Entry<Long, Tile>> tiles, long from, long to) {
    long count = 0;
    double sum = 0;
    double sumOfSquares = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double first = Double.NaN;
    long firstTime = Long.MAX_VALUE;
    double last = Double.NaN;
    long lastTime = Long.MIN_VALUE;
    for (Map.Entry<Long, Tile> entry : tiles) {
      long tileStart = entry.getKey();
      Tile tile = entry.getValue();
      if (tileStart < from || tileStart >= to || tile.counts[f] == 0) {
        continue;
      }
      count += tile.counts[f];
      sum += tile.sums[f];
      sumOfSquares += tile.sumsOfSquares[f];
      min = Math.min(min, tile.mins[f]);
      max = Math.max(max, tile.maxs[f]);
      if (Tile.isEarlier(tile.firstTimes[f], tile.firsts[f], firstTime, first)) {
        firstTime = tile.firstTimes[f];
        first = tile.firsts[f];
      }
      if (Tile.isLater(tile.lastTimes[f], tile.lasts[f], lastTime, last)) {
        lastTime = tile.lastTimes[f];
        last = tile.lasts[f];
      }
    }
    Aggregation aggregation = plan.aggregations[f];
    if (count == 0) {
      return plan.emptyValues[f];
    }
    return switch (aggregation) {
      case COUNT -> count;
      case SUM -> sum;
      case AVG, RATIO -> sum / count;
      case MIN -> min;
      case MAX -> max;
      case FIRST -> first;
      case LAST -> last;
      case STDDEV -> populationStddev(count, sum, sumOfSquares);
    };
  }

  private boolean intervalPassed(ContractPlan plan, long windowEnd) throws IOException {
    Long writtenAt = writtenAtByContract.get(plan.name).value();
    return writtenAt == null || windowEnd - writtenAt >= plan.emitMinIntervalMillis;
  }

  /** The aggregated values followed by the derived features computed from them. */
  private double[] withDerived(ContractPlan plan, double[] aggregated) {
    List<FeatureExpressions.Program> derived = derivedByContract.get(plan.name);
    if (derived.isEmpty()) {
      return aggregated;
    }
    double[] values = Arrays.copyOf(aggregated, aggregated.length + derived.size());
    for (int d = 0; d < derived.size(); d++) {
      values[aggregated.length + d] = derived.get(d).evaluate(aggregated);
    }
    return values;
  }

  /**
   * Whether two rows of values are the same feature values. Sums of doubles depend on the order
   * events arrived in (which differs after a restore), so values within one part in 10^12 are the
   * same: such noise is not a change worth a row.
   */
  static boolean sameValues(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      boolean same =
          Double.isNaN(a[i])
              ? Double.isNaN(b[i])
              : !Double.isNaN(b[i]) && Math.abs(a[i] - b[i]) <= 1e-12 * Math.max(1, Math.abs(a[i]));
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** From the count, sum and sum of squares; never negative despite rounding. */
  static double populationStddev(long count, double sum, double sumOfSquares) {
    double mean = sum / count;
    return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
  }
}
