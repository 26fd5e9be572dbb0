package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.FeatureExpressions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Computes every contract's windowed features per entity from time-bucketed tiles in keyed state.
 *
 * <p>Keyed by (contract, entity). An event is folded into the tile of its event time. When the
 * watermark passes a window end T, every feature whose window closes at T is recomputed from the
 * tiles in [T - size, T), a lifetime feature from its running total plus every tile before T, and
 * the entity's row is emitted if any value changed (at most once per the contract's emit interval,
 * when it has one: a held-back change is written at the first window end after the interval). Tiles
 * no window can use any more are evicted at each window end, folded into the running totals of
 * lifetime features first. Once no tiles remain, windowed values are back to empty and nothing is
 * held back, no timer is left; if lifetime totals are empty too, the key's state is cleared.
 *
 * <p>{@code state_ttl} counts in event time: the key's state ends at the first window end, once the
 * watermark has passed its latest event by {@code state_ttl} (up to an eighth more), where no tile
 * is left and nothing is held back. That is the memory bound for lifetime totals and adaptive
 * state. Counting in processing time lost rows: when one input ran hours of event time ahead of the
 * watermark (a backlog, a restart after an outage), keys ended, by the wall clock, while the
 * watermark had not yet reached their windows. An event-time timer ends the key, so it ends also
 * when no traffic comes at all, as long as the watermark moves (idle inputs let it).
 *
 * <p>An event is late when it is more than the contract's allowed lateness behind the watermark, or
 * when its tile was already evicted. Late events go to {@link #LATE_EVENTS} and are counted; an
 * accepted event that is behind the watermark only changes windows that have not closed yet.
 *
 * <p>An {@code adaptive_interval} feature does not come from tiles: poll periods of any length
 * cannot be cut from them. Its recurrence (interval, current period, its count; see {@link
 * AdaptiveIntervals}) is kept in an {@link AdaptiveState} per key, and its accepted events beyond
 * the current period wait in a map of event times, both with the contract's TTL. Periods the
 * watermark has passed are judged when an event comes and at each window end (up to that end), and
 * while a value can still change without events (a quiet interval below its maximum, say) the key
 * keeps a timer at the window end where it changes; once it cannot, the key settles like a lifetime
 * total: no timer, state until the next event or the TTL.
 *
 * <p>Tiles, values and adaptive state name the feature of each slot, so a contract that gains
 * features (a compatible change) restores its state and starts only the new features empty.
 */
public class TileAggregator extends KeyedProcessFunction<String, FeatureInput, FeatureRow> {

  public static final OutputTag<LateEvent> LATE_EVENTS =
      new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

  /** State names: a contract's states are its name behind one of these prefixes. */
  private static final String TILES = "tiles.";

  private static final String VALUES = "values.";
  private static final String LIFETIME = "lifetime.";
  private static final String WRITTEN = "written.";
  private static final String WRITTEN_AT = "written-at.";
  private static final String ADAPTIVE = "adaptive.";
  private static final String ADAPTIVE_BUFFERED = "adaptive-buffered.";

  /**
   * The window end, in event time, at which a key's state ends unless a later event moves it; one
   * state for every contract, as the key names its contract.
   */
  private static final String IDLE_UNTIL = "idle-until";

  private final Map<String, ContractPlan> plans;

  private transient Map<String, ContractState> states;
  private transient ValueState<Long> idleUntil;

  /** The state handles, metrics and derived programs of one contract. */
  private static final class ContractState {
    final ContractPlan plan;
    final MapState<Long, Tile> tiles;
    final ValueState<FeatureValues> values;

    /** The running totals of lifetime features over evicted tiles; null without such features. */
    final ValueState<Tile> lifetimeTotals;

    /** The values last written and when; null without an emit interval. */
    final ValueState<FeatureValues> written;

    final ValueState<Long> writtenAt;

    /** The recurrences of adaptive_interval features; null without such features. */
    final ValueState<AdaptiveState> adaptive;

    /**
     * Accepted adaptive_interval events beyond their slot's current period: event time to count per
     * slot, laid out as {@link #adaptive}; null without such features.
     */
    final MapState<Long, long[]> adaptiveBuffered;

    final Counter lateEvents;
    final List<FeatureExpressions.Program> derived;

    ContractState(ContractPlan plan, RuntimeContext context) {
      this.plan = plan;
      // No Flink state TTL: it counts processing time (see the class comment). Savepoints taken
      // with it restore all the same: since Flink 2.2 a state may drop its TTL (FLINK-37294).
      this.tiles =
          context.getMapState(
              new MapStateDescriptor<>(
                  TILES + plan.name, Types.LONG, TypeInformation.of(Tile.class)));
      this.values = context.getState(valueDescriptor(VALUES + plan.name));
      boolean anyLifetime = false;
      for (boolean lifetime : plan.lifetime) {
        anyLifetime |= lifetime;
      }
      if (anyLifetime) {
        this.lifetimeTotals =
            context.getState(
                new ValueStateDescriptor<>(LIFETIME + plan.name, TypeInformation.of(Tile.class)));
      } else {
        this.lifetimeTotals = null;
      }
      if (plan.emitMinIntervalMillis > 0) {
        this.written = context.getState(valueDescriptor(WRITTEN + plan.name));
        this.writtenAt =
            context.getState(new ValueStateDescriptor<>(WRITTEN_AT + plan.name, Types.LONG));
      } else {
        this.written = null;
        this.writtenAt = null;
      }
      if (plan.hasAdaptive) {
        this.adaptive =
            context.getState(
                new ValueStateDescriptor<>(
                    ADAPTIVE + plan.name, TypeInformation.of(AdaptiveState.class)));
        this.adaptiveBuffered =
            context.getMapState(
                new MapStateDescriptor<>(
                    ADAPTIVE_BUFFERED + plan.name,
                    Types.LONG,
                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
      } else {
        this.adaptive = null;
        this.adaptiveBuffered = null;
      }
      MetricGroup contractMetrics =
          ContractMetrics.contractGroup(context.getMetricGroup(), plan.name);
      this.lateEvents = contractMetrics.counter(ContractMetrics.LATE_EVENTS);
      long slaMillis = plan.freshnessSlaMillis;
      contractMetrics.<Long, Gauge<Long>>gauge(ContractMetrics.FRESHNESS_SLA_MS, () -> slaMillis);
      FeatureExpressions expressions = new FeatureExpressions(plan.features);
      this.derived = plan.derivedExpressions.stream().map(expressions::program).toList();
    }

    private static ValueStateDescriptor<FeatureValues> valueDescriptor(String name) {
      return new ValueStateDescriptor<>(name, TypeInformation.of(FeatureValues.class));
    }

    boolean rateLimited() {
      return written != null;
    }

    void clear() {
      tiles.clear();
      values.clear();
      if (lifetimeTotals != null) {
        lifetimeTotals.clear();
      }
      if (rateLimited()) {
        written.clear();
        writtenAt.clear();
      }
      if (adaptive != null) {
        adaptive.clear();
        adaptiveBuffered.clear();
      }
    }
  }

  public TileAggregator(List<ContractPlan> plans) {
    this.plans = new HashMap<>();
    plans.forEach(plan -> this.plans.put(plan.name, plan));
  }

  /** Every state name the contracts' keys may hold, for counting the keys that hold any. */
  static List<String> stateNames(Collection<ContractPlan> plans) {
    List<String> names = new ArrayList<>(List.of(IDLE_UNTIL));
    for (ContractPlan plan : plans) {
      for (String prefix :
          List.of(TILES, VALUES, LIFETIME, WRITTEN, WRITTEN_AT, ADAPTIVE, ADAPTIVE_BUFFERED)) {
        names.add(prefix + plan.name);
      }
    }
    return names;
  }

  @Override
  public void open(OpenContext openContext) {
    states = new HashMap<>();
    for (ContractPlan plan : plans.values()) {
      states.put(plan.name, new ContractState(plan, getRuntimeContext()));
    }
    idleUntil = getRuntimeContext().getState(new ValueStateDescriptor<>(IDLE_UNTIL, Types.LONG));
  }

  @Override
  public void processElement(FeatureInput input, Context ctx, Collector<FeatureRow> out)
      throws Exception {
    ContractState state = states.get(input.contract);
    ContractPlan plan = state.plan;
    long watermark = ctx.timerService().currentWatermark();
    long tileStart = plan.tileStart(input.eventTime);
    if (isLate(plan, input.eventTime, tileStart, watermark)) {
      state.lateEvents.inc();
      ctx.output(LATE_EVENTS, new LateEvent(input, watermark));
      return;
    }
    Tile tile = state.tiles.get(tileStart);
    tile = tile == null ? Tile.empty(plan.featureIds) : tile.laidOutFor(plan);
    tile.add(input, plan.aggregations);
    state.tiles.put(tileStart, tile);
    if (plan.hasAdaptive && hasAdaptiveInput(plan, input)) {
      countAdaptive(state, input, watermark);
    }
    keepAlive(plan, ctx.timerService(), input.eventTime);

    // A timer fires at (window end - 1) and must lie after the watermark, or it would fire for a
    // window that already closed.
    long earliestOpenWindowEnd = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark + 2;
    long windowEnd =
        plan.firstWindowEndAtOrAfter(Math.max(tileStart + plan.tileMillis, earliestOpenWindowEnd));
    ctx.timerService().registerEventTimeTimer(windowEnd - 1);
  }

  private static boolean hasAdaptiveInput(ContractPlan plan, FeatureInput input) {
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] != null && !Double.isNaN(input.inputs[f])) {
        return true;
      }
    }
    return false;
  }

  /**
   * Counts an accepted event in its adaptive_interval features. Periods the watermark has passed
   * are judged first, so an event behind the watermark whose period was judged counts in the
   * current one.
   */
  private static void countAdaptive(ContractState state, FeatureInput input, long watermark)
      throws Exception {
    ContractPlan plan = state.plan;
    AdaptiveState adaptive = adaptiveState(state);
    BufferedTimes buffered = new BufferedTimes(state.adaptiveBuffered);
    if (watermark != Long.MIN_VALUE) {
      long until = watermark + 1;
      AdaptiveIntervals.advance(
          plan,
          adaptive,
          AdaptiveIntervals.needsBuffered(plan, adaptive, until)
              ? buffered.read(plan, adaptive)
              : null,
          until);
    }
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] != null
          && !Double.isNaN(input.inputs[f])
          && AdaptiveIntervals.count(adaptive, f, input.eventTime)) {
        buffered.add(input.eventTime, f, plan.featureCount());
      }
    }
    buffered.write();
    state.adaptive.update(adaptive);
  }

  /**
   * The key's adaptive state laid out for the contract, its buffered event times laid out with it;
   * an empty state when the key has none.
   */
  private static AdaptiveState adaptiveState(ContractState state) throws Exception {
    ContractPlan plan = state.plan;
    AdaptiveState stored = state.adaptive.value();
    if (stored == null) {
      // Event times an expired state left behind have no layout and no period to join.
      if (!state.adaptiveBuffered.isEmpty()) {
        state.adaptiveBuffered.clear();
      }
      return AdaptiveState.empty(plan.featureIds);
    }
    AdaptiveState laidOut = stored.laidOutFor(plan);
    if (laidOut != stored) {
      List<Map.Entry<Long, long[]>> entries = new ArrayList<>();
      state.adaptiveBuffered.entries().forEach(entries::add);
      for (Map.Entry<Long, long[]> entry : entries) {
        long[] counts = AdaptiveState.laidOut(entry.getValue(), stored.featureIds, plan);
        if (AdaptiveIntervals.isZero(counts)) {
          state.adaptiveBuffered.remove(entry.getKey());
        } else {
          state.adaptiveBuffered.put(entry.getKey(), counts);
        }
      }
      // Written at once: the buffered times now have the new layout.
      state.adaptive.update(laidOut);
    }
    return laidOut;
  }

  /**
   * A key's buffered adaptive event times: read from state only when periods need them, then
   * written back as changed; an event added before that goes to state directly.
   */
  private static final class BufferedTimes {
    private final MapState<Long, long[]> state;
    private final Map<Long, long[]> stored = new HashMap<>();
    private NavigableMap<Long, long[]> times;

    BufferedTimes(MapState<Long, long[]> state) {
      this.state = state;
    }

    NavigableMap<Long, long[]> read(ContractPlan plan, AdaptiveState adaptive) throws Exception {
      if (times == null) {
        times = new TreeMap<>();
        for (Map.Entry<Long, long[]> entry : state.entries()) {
          stored.put(entry.getKey(), entry.getValue());
          times.put(entry.getKey(), entry.getValue().clone());
        }
        AdaptiveIntervals.recount(plan, adaptive, times);
      }
      return times;
    }

    void add(long eventTime, int slot, int slots) throws Exception {
      if (times != null) {
        times.computeIfAbsent(eventTime, t -> new long[slots])[slot]++;
        return;
      }
      long[] counts = state.get(eventTime);
      counts = counts == null ? new long[slots] : counts.clone();
      counts[slot]++;
      state.put(eventTime, counts);
    }

    void write() throws Exception {
      if (times == null) {
        return;
      }
      for (Long eventTime : stored.keySet()) {
        if (!times.containsKey(eventTime)) {
          state.remove(eventTime);
        }
      }
      for (Map.Entry<Long, long[]> entry : times.entrySet()) {
        if (!Arrays.equals(stored.get(entry.getKey()), entry.getValue())) {
          state.put(entry.getKey(), entry.getValue());
        }
      }
    }
  }

  private static boolean isLate(ContractPlan plan, long eventTime, long tileStart, long watermark) {
    if (watermark == Long.MIN_VALUE) {
      return false;
    }
    boolean beyondLateness = eventTime <= watermark - plan.allowedLatenessMillis;
    boolean tileEvicted = tileStart + plan.tileHorizonMillis <= watermark + 1;
    return beyondLateness || tileEvicted;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out)
      throws Exception {
    String key = ctx.getCurrentKey();
    ContractState state = states.get(FeatureInput.contractOf(key));
    if (state == null) {
      // A timer restored from a savepoint of a contract the job no longer runs: its windows are
      // no longer computed. Its state is not registered, so nothing reads or extends it.
      idleUntil.clear();
      return;
    }
    ContractPlan plan = state.plan;
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      endInEventTime(plan, ctx.timerService());
      return;
    }
    long windowEnd = timestamp + 1;
    if (plan.firstWindowEndAtOrAfter(windowEnd) != windowEnd) {
      Long end = idleUntil.value();
      if (end != null && timestamp == endTimer(end)) {
        endIfSettled(state, ctx.timerService());
      }
      return;
    }

    List<Map.Entry<Long, Tile>> tiles = new ArrayList<>();
    state.tiles.iterator().forEachRemaining(tiles::add);
    // In time order, so the same tiles always sum to the same bits and "changed" means changed.
    tiles.sort(Map.Entry.comparingByKey());
    for (Map.Entry<Long, Tile> entry : tiles) {
      Tile laidOut = entry.getValue().laidOutFor(plan);
      if (laidOut != entry.getValue()) {
        entry.setValue(laidOut);
        state.tiles.put(entry.getKey(), laidOut);
      }
    }
    Tile lifetimeTotals = state.lifetimeTotals == null ? null : state.lifetimeTotals.value();
    if (lifetimeTotals != null) {
      lifetimeTotals = lifetimeTotals.laidOutFor(plan);
    }
    AdaptiveState adaptive = null;
    if (plan.hasAdaptive) {
      adaptive = adaptiveState(state);
      if (AdaptiveIntervals.isDue(plan, adaptive, windowEnd)) {
        BufferedTimes buffered = new BufferedTimes(state.adaptiveBuffered);
        AdaptiveIntervals.advance(
            plan,
            adaptive,
            AdaptiveIntervals.needsBuffered(plan, adaptive, windowEnd)
                ? buffered.read(plan, adaptive)
                : null,
            windowEnd);
        buffered.write();
        state.adaptive.update(adaptive);
      }
    }

    FeatureValues empty = plan.emptyValues();
    FeatureValues previous = laidOut(state.values.value(), plan);
    FeatureValues current = previous == null ? empty.copy() : previous.copy();
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.closesAt(f, windowEnd)) {
        if (plan.adaptive[f] != null) {
          current.numbers[f] = AdaptiveIntervals.valueAt(adaptive, f, windowEnd);
        } else {
          aggregate(plan, f, tiles, lifetimeTotals, windowEnd, current);
        }
      }
    }

    boolean anyTileLeft = false;
    long earliestTileLeft = Long.MAX_VALUE;
    boolean totalsChanged = false;
    for (Map.Entry<Long, Tile> entry : tiles) {
      if (entry.getKey() + plan.tileHorizonMillis > windowEnd) {
        anyTileLeft = true;
        earliestTileLeft = Math.min(earliestTileLeft, entry.getKey());
        continue;
      }
      if (state.lifetimeTotals != null) {
        lifetimeTotals = lifetimeTotals == null ? Tile.empty(plan.featureIds) : lifetimeTotals;
        for (int f = 0; f < plan.featureCount(); f++) {
          if (plan.lifetime[f]) {
            lifetimeTotals.merge(f, entry.getValue(), f, plan.aggregations[f]);
          }
        }
        totalsChanged = true;
      }
      state.tiles.remove(entry.getKey());
    }
    if (totalsChanged) {
      state.lifetimeTotals.update(lifetimeTotals);
    }

    if (!current.sameAs(orEmpty(previous, empty))) {
      state.values.update(current);
    }
    FeatureValues written =
        state.rateLimited() ? laidOut(state.written.value(), plan) : orEmpty(previous, empty);
    written = orEmpty(written, empty);
    boolean unwritten = !current.sameAs(written);
    if (unwritten && (!state.rateLimited() || intervalPassed(state, windowEnd))) {
      out.collect(row(state, FeatureInput.entityOf(key), windowEnd, current));
      written = current;
      if (state.rateLimited()) {
        state.written.update(current);
        state.writtenAt.update(windowEnd);
      }
    }

    Long end = idleUntil.value();
    if (end != null && endTimer(end) < windowEnd && !anyTileLeft && current.sameAs(written)) {
      end(state, ctx.timerService());
      return;
    }

    // A change the emit interval held back keeps the key alive until it is written; lifetime
    // totals that hold events keep the state, without a timer, until its state_ttl passes.
    boolean windowsSettled = !anyTileLeft && current.sameAs(written);
    for (int f = 0; f < plan.featureCount() && windowsSettled; f++) {
      windowsSettled = plan.lifetime[f] || current.sameSlot(f, empty);
    }
    // Whether the windows show nothing that a later empty window would change; adaptive values
    // change on timers of their own (adaptiveChange below), lifetime ones only with tiles.
    boolean windowsEmpty = current.sameAs(written);
    for (int f = 0; f < plan.featureCount() && windowsEmpty; f++) {
      windowsEmpty = plan.lifetime[f] || plan.adaptive[f] != null || current.sameSlot(f, empty);
    }
    // An adaptive value that can still change without events keeps a timer at its next change.
    long adaptiveChange =
        adaptive == null
            ? Long.MAX_VALUE
            : AdaptiveIntervals.nextChange(plan, adaptive, current, windowEnd);
    if (adaptiveChange != Long.MAX_VALUE) {
      ctx.timerService().registerEventTimeTimer(adaptiveChange - 1);
    }
    if (!windowsSettled) {
      // Empty windows with every tile left still ahead show nothing new until the first window
      // that holds one of those tiles: go there at once. Stepping hop by hop instead walked every
      // window of the gap, 177 million for an event from 1970 beside one from 2026.
      long nextTileWindow =
          windowsEmpty && earliestTileLeft >= windowEnd
              ? earliestTileLeft + plan.tileMillis
              : windowEnd + 1;
      ctx.timerService()
          .registerEventTimeTimer(
              plan.firstWindowEndAtOrAfter(Math.max(windowEnd + 1, nextTileWindow)) - 1);
    } else if (current.sameAs(empty)
        && isEmpty(lifetimeTotals)
        && (adaptive == null || adaptive.isIdle())) {
      end(state, ctx.timerService());
    }
  }

  /**
   * The window end at which a key whose latest event came at {@code eventTime} ends: {@code
   * state_ttl} later, rounded up to an {@link #idleGrain}, so that a busy key moves its end only a
   * few times per TTL, and then to a window end, so that the end's timer (see {@link #endTimer})
   * lies between two window ends' timers.
   */
  static long idleEnd(ContractPlan plan, long eventTime) {
    long ttl = plan.stateTtl.toMillis();
    long grain = idleGrain(ttl);
    return plan.firstWindowEndAtOrAfter(Math.floorDiv(eventTime + ttl + grain - 1, grain) * grain);
  }

  /**
   * A key's state ends between {@code state_ttl} and this much (plus a hop) after its last event.
   */
  private static long idleGrain(long ttlMillis) {
    return Math.max(1_000, ttlMillis / 8);
  }

  /**
   * Moves the key's end to {@code state_ttl} after an event at {@code eventTime}, unless it ends
   * later already.
   */
  private void keepAlive(ContractPlan plan, TimerService timers, long eventTime)
      throws IOException {
    if (plan.stateTtl == null) {
      return;
    }
    long end = idleEnd(plan, eventTime);
    Long scheduled = idleUntil.value();
    if (scheduled == null || scheduled < end) {
      // With tiles of one millisecond every timestamp is a window end's timer, which must stay.
      if (scheduled != null && plan.tileMillis > 1) {
        timers.deleteEventTimeTimer(endTimer(scheduled));
      }
      timers.registerEventTimeTimer(endTimer(end));
      idleUntil.update(end);
    }
  }

  /**
   * The timer of a key's end: a millisecond before the end's window end fires (at end - 1), so
   * that, with tiles of two milliseconds or more, it is never a window end's timer and can be
   * deleted when the end moves.
   */
  private static long endTimer(long end) {
    return end - 2;
  }

  /**
   * Ends the key unless its windows still need it: tiles left to leave their windows, or a change
   * the emit interval holds back. Then their window ends, which have timers of their own, end it.
   */
  private void endIfSettled(ContractState state, TimerService timers) throws Exception {
    if (!state.tiles.isEmpty()) {
      return;
    }
    if (state.rateLimited()) {
      FeatureValues empty = state.plan.emptyValues();
      FeatureValues values = orEmpty(laidOut(state.values.value(), state.plan), empty);
      FeatureValues written = orEmpty(laidOut(state.written.value(), state.plan), empty);
      if (!values.sameAs(written)) {
        return;
      }
    }
    end(state, timers);
  }

  /**
   * Only a savepoint taken while {@code state_ttl} counted in processing time holds processing-time
   * timers: the key's end they carry, a wall-clock time, becomes an event-time end, which event
   * times of that era match closely.
   */
  private void endInEventTime(ContractPlan plan, TimerService timers) throws IOException {
    Long wallClockEnd = idleUntil.value();
    if (wallClockEnd == null || plan.stateTtl == null) {
      idleUntil.clear();
      return;
    }
    long end = plan.firstWindowEndAtOrAfter(wallClockEnd);
    timers.registerEventTimeTimer(endTimer(end));
    idleUntil.update(end);
  }

  /**
   * Clears the key's state; with it goes the need for any of its timers, so the end's is deleted.
   */
  private void end(ContractState state, TimerService timers) throws IOException {
    state.clear();
    Long end = idleUntil.value();
    if (end != null) {
      timers.deleteEventTimeTimer(endTimer(end));
      idleUntil.clear();
    }
  }

  private static boolean isEmpty(Tile lifetimeTotals) {
    return lifetimeTotals == null || Arrays.stream(lifetimeTotals.counts).allMatch(c -> c == 0);
  }

  private static FeatureValues laidOut(FeatureValues values, ContractPlan plan) {
    return values == null ? null : values.laidOutFor(plan);
  }

  private static FeatureValues orEmpty(FeatureValues values, FeatureValues empty) {
    return values == null ? empty : values;
  }

  /** Recomputes feature {@code f} over its window ending at {@code windowEnd} into {@code into}. */
  private static void aggregate(
      ContractPlan plan,
      int f,
      List<Map.Entry<Long, Tile>> tiles,
      Tile lifetimeTotals,
      long windowEnd,
      FeatureValues into) {
    List<Tile> window = new ArrayList<>();
    if (plan.lifetime[f] && lifetimeTotals != null && lifetimeTotals.counts[f] > 0) {
      window.add(lifetimeTotals);
    }
    long from = plan.lifetime[f] ? Long.MIN_VALUE : windowEnd - plan.sizeMillis[f];
    for (Map.Entry<Long, Tile> entry : tiles) {
      if (entry.getKey() >= from && entry.getKey() < windowEnd && entry.getValue().counts[f] > 0) {
        window.add(entry.getValue());
      }
    }
    Aggregation aggregation = plan.aggregations[f];
    if (window.isEmpty()) {
      into.numbers[f] = plan.emptyNumbers[f];
      if (aggregation == Aggregation.TOP_K) {
        into.lists[f] = new String[0];
      }
      return;
    }
    switch (aggregation) {
      case DISTINCT_COUNT -> into.numbers[f] = Sketches.distinctCount(sketches(window, f));
      case TOP_K -> into.lists[f] = Sketches.topK(sketches(window, f), plan.k[f]);
      default -> into.numbers[f] = number(aggregation, window, f);
    }
  }

  private static List<byte[]> sketches(List<Tile> window, int f) {
    return window.stream().map(tile -> tile.sketches[f]).toList();
  }

  private static double number(Aggregation aggregation, List<Tile> window, int f) {
    long count = 0;
    double sum = 0;
    double squaredDeviations = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double first = Double.NaN;
    long firstTime = Long.MAX_VALUE;
    double last = Double.NaN;
    long lastTime = Long.MIN_VALUE;
    for (Tile tile : window) {
      squaredDeviations =
          Tile.combinedSquaredDeviations(
              count,
              sum,
              squaredDeviations,
              tile.counts[f],
              tile.sums[f],
              tile.squaredDeviations[f]);
      count += tile.counts[f];
      sum += tile.sums[f];
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
    return switch (aggregation) {
      case COUNT -> count;
      case SUM -> sum;
      case AVG, RATIO -> sum / count;
      case MIN -> min;
      case MAX -> max;
      case FIRST -> first;
      case LAST -> last;
      case STDDEV -> Math.sqrt(squaredDeviations / count);
      case DISTINCT_COUNT, TOP_K, ADAPTIVE_INTERVAL ->
          throw new IllegalArgumentException(aggregation + " is not computed from numbers");
    };
  }

  private static boolean intervalPassed(ContractState state, long windowEnd) throws Exception {
    Long writtenAt = state.writtenAt.value();
    return writtenAt == null || windowEnd - writtenAt >= state.plan.emitMinIntervalMillis;
  }

  /**
   * The entity's row: the aggregated values followed by the derived features computed from them.
   */
  private static FeatureRow row(
      ContractState state, String entity, long featureTime, FeatureValues values) {
    int features = values.numbers.length;
    int derived = state.derived.size();
    double[] numbers = Arrays.copyOf(values.numbers, features + derived);
    String[][] lists =
        values.lists == null ? null : Arrays.copyOf(values.lists, features + derived);
    for (int d = 0; d < derived; d++) {
      numbers[features + d] = state.derived.get(d).evaluate(values.numbers, values.lists);
    }
    return new FeatureRow(state.plan.name, entity, featureTime, numbers, lists);
  }
}
