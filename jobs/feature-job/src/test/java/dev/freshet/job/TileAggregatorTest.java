package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.freshet.contract.AdaptiveInterval;
import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.DerivedFeature;
import dev.freshet.contract.Entity;
import dev.freshet.contract.Feature;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.Lifecycle;
import dev.freshet.contract.OnlineSink;
import dev.freshet.contract.Window;
import dev.freshet.events.BehaviourEvent;
import dev.freshet.events.Event;
import dev.freshet.events.EventStream;
import dev.freshet.events.FileEvent;
import dev.freshet.events.FileTraceGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TileAggregatorTest {

  private static final double NULL = Double.NaN;
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
  private static final Window SLIDING_30S =
      Window.sliding(Duration.ofSeconds(30), Duration.ofSeconds(10));

  private KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> harness;

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void exactValuesAtWindowEdgesThenStateEnds() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);

    play(contract, 0, 100);
    play(contract, 9_999, 300);
    play(contract, 10_000, 200);
    for (long windowEnd = 10_000; windowEnd <= 60_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 2, 0, 200, 100, 300, 300),
            row(20_000, 3, 600, 200, 100, 300, 200),
            row(40_000, 1, 0, 200, 200, 200, 200),
            row(50_000, 0, 0, NULL, NULL, NULL, NULL));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aLongQuietGapIsCrossedAtOnceNotWindowByWindow() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);
    long fortyDaysLater = Duration.ofDays(40).toMillis();

    // Both arrive before any watermark, as an event from long ago may when a job starts.
    play(contract, 1_000, 100);
    play(contract, fortyDaysLater, 300);
    harness.processWatermark(Duration.ofDays(20).toMillis());

    assertThat(harness.numEventTimeTimers())
        .as(
            "only the later event's window end and the key's end are pending, no timer stepping"
                + " through the gap")
        .isEqualTo(2);
    harness.processWatermark(fortyDaysLater + 60_000);
    assertThat(harness.extractOutputValues())
        .extracting(row -> row.featureTime)
        .isNotEmpty()
        .allMatch(time -> time <= 60_000 || time > fortyDaysLater)
        .anyMatch(time -> time > fortyDaysLater);
  }

  @Test
  void outOfOrderEventsLandInTheirOwnWindows() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);

    play(contract, 15_000, 10);
    play(contract, 5_000, 20);
    harness.processWatermark(19_999);

    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 1, 0, 20, 20, 20, 20), row(20_000, 2, 30, 15, 10, 20, 10));
  }

  @Test
  void lateEventGoesToSideOutputAndChangesNothing() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);

    play(contract, 15_000, 10);
    harness.processWatermark(19_999);
    play(contract, 19_999, 500);
    harness.processWatermark(29_999);

    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS))
        .extracting(StreamRecord::getValue)
        .extracting(late -> late.input.eventTime, late -> late.watermark)
        .containsExactly(tuple(19_999L, 19_999L));
    assertThat(harness.extractOutputValues()).containsExactly(row(20_000, 1, 10, 10, 10, 10, 10));
  }

  @Test
  void eventWithinAllowedLatenessCountsInWindowsStillOpen() throws Exception {
    Contract contract = contract(Duration.ofSeconds(10));
    harness = harness(contract);

    play(contract, 15_000, 10);
    harness.processWatermark(19_999);
    play(contract, 12_000, 30);
    harness.processWatermark(29_999);

    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS)).isNull();
    assertThat(harness.extractOutputValues())
        .containsExactly(row(20_000, 1, 10, 10, 10, 10, 10), row(30_000, 2, 10, 20, 10, 30, 10));
  }

  @Test
  void theWallClockNeverEndsAKeyWhoseWindowsTheWatermarkHasNotReached() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);
    long ttl = contract.stateTtl().toMillis();
    harness.setProcessingTime(0);
    harness.setStateTtlProcessingTime(0);

    // Read long before the watermark reaches it, as when another input holds the watermark back
    // while this one's backlog is read.
    play(contract, 1_000, 100);
    harness.setProcessingTime(10 * ttl);
    harness.setStateTtlProcessingTime(10 * ttl);
    harness.processWatermark(Long.MAX_VALUE - 1);

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 1, 0, 100, 100, 100, 100),
            row(20_000, 1, 100, 100, 100, 100, 100),
            row(40_000, 0, 0, NULL, NULL, NULL, NULL));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void lifetimeStateEndsOnceTheWatermarkPassesTheLatestEventByStateTtl() throws Exception {
    Contract contract = lifetimeContract();
    harness = harness(contract);
    harness.setProcessingTime(0);
    long end = TileAggregator.idleEnd(ContractPlan.of(contract), 1_000);
    assertThat(end).isBetween(1_000 + contract.stateTtl().toMillis(), 1_000 + 2 * 3_600_000L);

    playBy(contract, 1_000, "a1", 300);
    harness.processWatermark(end - 3);
    harness.setProcessingTime(TileAggregatorOperator.COUNT_INTERVAL_MILLIS);
    assertThat(stateKeys()).containsExactly(entry(contract.id(), 1L));
    assertThat(harness.numEventTimeTimers()).as("the end's timer").isEqualTo(1);
    int rowsBeforeTheEnd = harness.extractOutputValues().size();

    harness.processWatermark(end - 1);
    harness.setProcessingTime(2 * TileAggregatorOperator.COUNT_INTERVAL_MILLIS);

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(stateKeys()).isEmpty();
    assertThat(harness.extractOutputValues())
        .as("ending state writes no row")
        .hasSize(rowsBeforeTheEnd);
  }

  @Test
  void anEventPostponesTheEndOfItsKeyByStateTtl() throws Exception {
    Contract contract = lifetimeContract();
    harness = harness(contract);
    long ttl = contract.stateTtl().toMillis();
    playBy(contract, 1_000, "a1", 300);
    playBy(contract, 1_000 + ttl / 2, "a2", 300);
    long firstEnd = TileAggregator.idleEnd(ContractPlan.of(contract), 1_000);
    long secondEnd = TileAggregator.idleEnd(ContractPlan.of(contract), 1_000 + ttl / 2);

    harness.processWatermark(firstEnd - 1);
    assertThat(harness.numKeyedStateEntries()).isPositive();

    harness.processWatermark(secondEnd - 1);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aKeyWhoseWindowsEndLeavesNoTimerBehind() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);

    play(contract, 1_000, 100);
    harness.processWatermark(60_000);

    assertThat(harness.extractOutputValues()).isNotEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).as("the end's timer goes with the state").isZero();
  }

  @Test
  void entitiesOfOneContractAreIndependent() throws Exception {
    Contract contract = contract(Duration.ZERO);
    harness = harness(contract);

    harness.processElement(input(contract, "user-a", 1_000, 100), 1_000);
    harness.processElement(input(contract, "user-b", 2_000, 300), 2_000);
    harness.processWatermark(9_999);

    assertThat(harness.extractOutputValues())
        .extracting(row -> row.entityKey + "=" + (long) row.values[0])
        .containsExactlyInAnyOrder("user-a=1", "user-b=1");
  }

  @Test
  void firstRatioAndStddevAtWindowEdges() throws Exception {
    Contract contract = statisticsContract();
    harness = harness(contract);

    act(contract, 0, "play", 100);
    act(contract, 5_000, "skip", 300);
    act(contract, 12_000, "play", 200);
    harness.processWatermark(19_999);

    List<FeatureRow> rows = harness.extractOutputValues();
    assertThat(rows).extracting(row -> row.featureTime).containsExactly(10_000L, 20_000L);
    assertThat(rows.get(0).values[0]).isNaN();
    assertThat(rows.get(0).values[1]).isEqualTo(0.5);
    assertThat(rows.get(0).values[2]).isEqualTo(100.0);
    assertThat(rows.get(1).values[0]).isEqualTo(100.0);
    assertThat(rows.get(1).values[1]).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(rows.get(1).values[2]).isCloseTo(Math.sqrt(20_000.0 / 3), within(1e-9));
  }

  @Test
  void defaultValuesStandForEmptyWindowsAndStateStillEnds() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                new Feature(
                    "avg_or_zero",
                    FeatureType.DOUBLE,
                    Aggregation.AVG,
                    "played_ms",
                    null,
                    null,
                    null,
                    SLIDING_30S,
                    0.0,
                    null,
                    null)));
    harness = harness(contract);

    play(contract, 1_000, 100);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues()).containsExactly(row(10_000, 100), row(40_000, 0));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void derivedFeaturesFollowTheRowTheyAreComputedFrom() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
                feature("avg", FeatureType.DOUBLE, Aggregation.AVG, "played_ms", SLIDING_30S)),
            List.of(
                new DerivedFeature("double_plays", FeatureType.LONG, "plays * 2"),
                new DerivedFeature("avg_seconds", FeatureType.DOUBLE, "avg / 1000.0")));
    harness = harness(contract);

    play(contract, 1_000, 1_500);
    play(contract, 12_000, 2_500);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 1, 1_500, 2, 1.5),
            row(20_000, 2, 2_000, 4, 2.0),
            row(40_000, 1, 2_500, 2, 2.5),
            row(50_000, 0, NULL, 0, NULL));
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void emitIntervalHoldsChangesBackAndWritesTheLatestValuesLater() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S)),
            List.of(),
            Duration.ofSeconds(20));
    harness = harness(contract);

    play(contract, 1_000, 100);
    play(contract, 12_000, 100);
    play(contract, 22_000, 100);
    for (long windowEnd = 10_000; windowEnd <= 90_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 1), row(30_000, 3), row(50_000, 1), row(70_000, 0));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void distinctCountAtWindowEdgesCountsEachValueOnce() throws Exception {
    Contract contract = contract(Duration.ZERO, List.of(distinctArtists(SLIDING_30S)));
    harness = harness(contract);

    listen(contract, 0, "a1");
    listen(contract, 9_999, "a2");
    listen(contract, 9_999, "a1");
    listen(contract, 10_000, "a3");
    listen(contract, 25_000, "a3");
    for (long windowEnd = 10_000; windowEnd <= 60_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 2), row(20_000, 3), row(40_000, 1), row(60_000, 0));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void distinctCountOfManyValuesStaysWithinTheSketchErrorBound() throws Exception {
    Contract contract =
        contract(Duration.ZERO, List.of(distinctArtists(Window.tumbling(Duration.ofSeconds(10)))));
    harness = harness(contract);

    int distinct = 20_000;
    for (int i = 0; i < 2 * distinct; i++) {
      listen(contract, i % 10_000, "artist-" + (i % distinct));
    }
    harness.processWatermark(9_999);

    double estimate = harness.extractOutputValues().get(0).values[0];
    // Three relative standard errors of an lg_k 12 HLL sketch: 3 × 1.04 / sqrt(4096).
    assertThat(estimate).isCloseTo(distinct, within(distinct * 3 * 1.04 / 64));
  }

  @Test
  void topKAtWindowEdgesBreaksTiesByTheSmallerValue() throws Exception {
    Contract contract = contract(Duration.ZERO, List.of(topArtists(2)));
    harness = harness(contract);

    listen(contract, 0, "b");
    listen(contract, 9_999, "c");
    listen(contract, 10_000, "a");
    listen(contract, 15_000, "c");
    listen(contract, 35_000, "a");
    for (long windowEnd = 10_000; windowEnd <= 70_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .extracting(row -> row.featureTime + "=" + List.of(row.lists[0]))
        .containsExactly("10000=[b, c]", "20000=[c, a]", "40000=[a, c]", "50000=[a]", "70000=[]");
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void lifetimeValuesOutliveTheirTilesUntilTheStateTtl() throws Exception {
    Window lifetime = Window.lifetime(Duration.ofSeconds(10));
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("plays_30s", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
                playsEver(),
                feature("longest_ever", FeatureType.LONG, Aggregation.MAX, "played_ms", lifetime),
                feature(
                    "artists_ever",
                    FeatureType.LONG,
                    Aggregation.DISTINCT_COUNT,
                    "artist_id",
                    lifetime)));
    harness = harness(contract);

    playBy(contract, 1_000, "a1", 300);
    playBy(contract, 9_999, "a2", 100);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }
    playBy(contract, 75_000, "a1", 200);
    for (long windowEnd = 60_000; windowEnd <= 120_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 2, 2, 300, 2),
            row(40_000, 0, 2, 300, 2),
            row(80_000, 1, 3, 300, 2),
            row(110_000, 0, 3, 300, 2));
    assertThat(harness.numEventTimeTimers()).as("the end's timer").isEqualTo(1);
    assertThat(harness.numKeyedStateEntries()).isPositive();

    long end = TileAggregator.idleEnd(ContractPlan.of(contract), 75_000);
    harness.processWatermark(end - 1);
    playBy(contract, end + 5_000, "a9", 50);
    harness.processWatermark(end + 9_999);

    assertThat(harness.extractOutputValues()).last().isEqualTo(row(end + 10_000, 1, 1, 50, 1));
  }

  @Test
  void withoutStateTtlLifetimeValuesOutliveTheContractsStateTtl() throws Exception {
    Contract contract = lifetimeContract();
    harness = harness(ContractPlan.withoutStateTtl(contract));
    long beyondTtl = 10_000 + 2 * contract.stateTtl().toMillis();

    playBy(contract, 1_000, "a1", 300);
    harness.processWatermark(beyondTtl - 1);
    playBy(contract, beyondTtl + 5_000, "a2", 100);
    harness.processWatermark(beyondTtl + 9_999);

    assertThat(harness.extractOutputValues()).last().isEqualTo(row(beyondTtl + 10_000, 1, 2));
  }

  @Test
  void anEventWithoutTheInputFieldAddsNoItem() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
                distinctArtists(SLIDING_30S),
                topArtists(5)));
    harness = harness(contract);

    listen(contract, 1_000, "a1");
    harness.processElement(input(contract, "user-1", 2_000, 300), 2_000);
    harness.processWatermark(9_999);

    FeatureRow row = harness.extractOutputValues().get(0);
    assertThat(row.values[0]).isEqualTo(2.0);
    assertThat(row.values[1]).isEqualTo(1.0);
    assertThat(row.lists[2]).containsExactly("a1");
  }

  @Test
  void lifetimeFeaturesWhoseTotalsHoldNoEventsOfTheirOwnHaveNoValue() throws Exception {
    Window lifetime = Window.lifetime(Duration.ofSeconds(10));
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("acts_30s", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
                Feature.of(
                    "longest_play_ever",
                    FeatureType.LONG,
                    Aggregation.MAX,
                    "played_ms",
                    "action == 'play'",
                    lifetime),
                Feature.of(
                    "artists_ever",
                    FeatureType.LONG,
                    Aggregation.DISTINCT_COUNT,
                    "artist_id",
                    "action == 'play'",
                    lifetime)));
    harness = harness(contract);

    act(contract, 1_000, "skip", 100);
    for (long windowEnd = 10_000; windowEnd <= 40_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }
    playBy(contract, 45_000, "a2", 200);
    harness.processWatermark(49_999);

    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 1, NULL, 0), row(40_000, 0, NULL, 0), row(50_000, 1, 200, 1));
  }

  @Test
  void lifetimeTotalsThatEqualTheEmptyValuesAreStillKept() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                new Feature(
                    "shortest_ever",
                    FeatureType.LONG,
                    Aggregation.MIN,
                    "played_ms",
                    null,
                    null,
                    null,
                    Window.lifetime(Duration.ofSeconds(10)),
                    0.0,
                    null,
                    null)));
    harness = harness(contract);

    play(contract, 1_000, 0);
    harness.processWatermark(19_999);
    play(contract, 25_000, 5);
    harness.processWatermark(39_999);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isPositive();
  }

  @Test
  void lifetimeWindowsTakeEventsWithinTheAllowedLateness() throws Exception {
    Contract contract = contract(Duration.ofSeconds(30), List.of(playsEver()));
    harness = harness(contract);

    play(contract, 12_000, 100);
    harness.processWatermark(19_999);
    play(contract, 9_000, 100);
    harness.processWatermark(29_999);

    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS)).isNull();
    assertThat(harness.extractOutputValues()).containsExactly(row(20_000, 1), row(30_000, 2));
  }

  @Test
  void stateRestoredUnderAContractWithOneMoreFeatureKeepsTheOldFeatures() throws Exception {
    Feature plays = feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S);
    Feature artists = distinctArtists(SLIDING_30S);
    Feature longest =
        feature("longest", FeatureType.LONG, Aggregation.MAX, "played_ms", SLIDING_30S);
    Contract before = contract(Duration.ZERO, List.of(plays, artists));
    harness = harness(before);
    playBy(before, 1_000, "a1", 100);
    playBy(before, 2_000, "a2", 500);
    harness.processWatermark(9_999);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    Contract after = contract(Duration.ZERO, List.of(longest, artists, plays));
    harness = restored(snapshot, ContractPlan.of(after));
    playBy(after, 12_000, "a3", 200);
    harness.processWatermark(19_999);

    assertThat(harness.extractOutputValues()).containsExactly(row(20_000, 200, 3, 3));
  }

  @Test
  void aSavepointFromWhenStateTtlCountedInProcessingTimeRestoresAndItsKeysEndInEventTime()
      throws Exception {
    Contract contract = lifetimeContract();
    ContractPlan plan = ContractPlan.of(contract);
    long ttl = contract.stateTtl().toMillis();
    KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> before =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ProcessingTimeTtlLayout(plan)),
            FeatureInput::key,
            Types.STRING);
    before.open();
    before.setProcessingTime(0);
    before.processElement(input(contract, "user-1", 1_000, 100), 1_000);
    OperatorSubtaskState snapshot = before.snapshot(1, 1);
    before.close();

    harness = restored(snapshot, plan);
    harness.processWatermark(9_999);
    assertThat(harness.extractOutputValues()).containsExactly(row(10_000, 1, 1));

    harness.setProcessingTime(ttl);
    harness.processWatermark(ttl - 3);
    assertThat(harness.numKeyedStateEntries()).as("lifetime totals until the end").isPositive();
    harness.processWatermark(ttl - 1);

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  /**
   * The state a key held before state_ttl counted in event time: tiles under Flink's
   * processing-time state TTL, and the key's end as a wall-clock time with a processing-time timer.
   */
  private static final class ProcessingTimeTtlLayout
      extends KeyedProcessFunction<String, FeatureInput, FeatureRow> {
    private final ContractPlan plan;

    ProcessingTimeTtlLayout(ContractPlan plan) {
      this.plan = plan;
    }

    @Override
    public void processElement(FeatureInput input, Context ctx, Collector<FeatureRow> out)
        throws Exception {
      MapStateDescriptor<Long, Tile> tilesDescriptor =
          new MapStateDescriptor<>(
              "tiles." + plan.name, Types.LONG, TypeInformation.of(Tile.class));
      tilesDescriptor.enableTimeToLive(
          StateTtlConfig.newBuilder(plan.stateTtl)
              .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
              .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
              .disableCleanupInBackground()
              .build());
      long tileStart = plan.tileStart(input.eventTime);
      Tile tile = Tile.empty(plan.featureIds);
      tile.add(input, plan.aggregations);
      getRuntimeContext().getMapState(tilesDescriptor).put(tileStart, tile);
      ctx.timerService()
          .registerEventTimeTimer(plan.firstWindowEndAtOrAfter(tileStart + plan.tileMillis) - 1);
      long end = ctx.timerService().currentProcessingTime() + plan.stateTtl.toMillis();
      getRuntimeContext()
          .getState(new ValueStateDescriptor<>("idle-until", Types.LONG))
          .update(end);
      ctx.timerService().registerProcessingTimeTimer(end);
    }
  }

  @Test
  void timersOfAContractTheRestoredJobNoLongerRunsEndWithoutOutputOrFailure() throws Exception {
    Feature plays = feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S);
    Contract kept = contract(Duration.ZERO, List.of(plays));
    Contract removed = contract("removed", Duration.ZERO, List.of(plays), List.of(), Duration.ZERO);
    harness = harness(ContractPlan.of(kept), ContractPlan.of(removed));
    play(kept, 1_000, 100);
    play(removed, 1_000, 100);
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    harness = restored(snapshot, ContractPlan.of(kept));
    assertThat(harness.numEventTimeTimers())
        .as("both contracts' window and end timers restored")
        .isEqualTo(4);
    harness.processWatermark(39_999);

    assertThat(harness.extractOutputValues())
        .extracting(row -> row.contract)
        .isNotEmpty()
        .containsOnly("listening");
  }

  @Test
  void derivedFeaturesReadStringListsAsCelLists() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(topArtists(5)),
            List.of(new DerivedFeature("top_size", FeatureType.LONG, "size(top_artists)")));
    harness = harness(contract);

    listen(contract, 1_000, "a1");
    listen(contract, 2_000, "a2");
    harness.processWatermark(9_999);

    FeatureRow row = harness.extractOutputValues().get(0);
    assertThat(row.lists[0]).containsExactly("a1", "a2");
    assertThat(row.values[1]).isEqualTo(2.0);
  }

  @Test
  void aQuietIntervalGrowsByTheQuietFactorEachPeriodUpToTheMaximumThenItsTimersStop()
      throws Exception {
    Contract contract =
        contract(
            "listening",
            Duration.ZERO,
            List.of(pollInterval(TEN_SECONDS)),
            List.of(),
            Duration.ZERO,
            Duration.ofMinutes(20));
    harness = harness(contract);

    play(contract, 1_000, 100);
    for (long windowEnd = 10_000; windowEnd <= 750_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }
    // Periods: [1s, 11s) has one change (unchanged), then each is quiet: ×1.5 from 21 s, 36 s,
    // 58.5 s, ... and clamped to 300 s at the period that ends at 759.867 s.
    assertThat(harness.numEventTimeTimers()).as("timers while below the maximum").isPositive();
    for (long windowEnd = 760_000; windowEnd <= 2_000_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 10),
            row(30_000, 15),
            row(40_000, 22.5),
            row(60_000, 33.75),
            row(100_000, 50.625),
            row(150_000, 75.9375),
            row(220_000, 113.90625),
            row(340_000, 170.859375),
            row(510_000, 256.2890625),
            row(760_000, 300));
    assertThat(harness.numKeyedStateEntries()).as("ended 20 minutes after the event").isZero();

    play(contract, 2_001_000, 100);
    harness.processWatermark(2_009_999);

    assertThat(harness.extractOutputValues()).last().isEqualTo(row(2_010_000, 10));
  }

  @Test
  void aBusyIntervalShrinksByTheBusyFactorEachPeriodDownToTheMinimum() throws Exception {
    Contract contract = contract(Duration.ZERO, List.of(pollInterval(Duration.ofSeconds(1))));
    harness = harness(contract);

    for (long eventTime = 0; eventTime < 60_000; eventTime += 250) {
      play(contract, eventTime, 100);
    }
    for (long windowEnd = 1_000; windowEnd <= 60_000; windowEnd += 1_000) {
      harness.processWatermark(windowEnd - 1);
    }

    // Four changes a second make every period busy: [0, 10 s) → 7 s, [10 s, 17 s) → 4.9 s,
    // [17 s, 21.9 s), [21.9 s, 25.33 s), [25.33 s, 27.731 s), [27.731 s, 29.412 s), and
    // [29.412 s, 30.588 s) → 0.82 s, clamped to 1 s.
    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(1_000, 10),
            row(10_000, 10_000 * 0.7 / 1000),
            row(17_000, 10_000 * 0.7 * 0.7 / 1000),
            row(22_000, 10_000 * 0.7 * 0.7 * 0.7 / 1000),
            row(26_000, 10_000 * 0.7 * 0.7 * 0.7 * 0.7 / 1000),
            row(28_000, 10_000 * 0.7 * 0.7 * 0.7 * 0.7 * 0.7 / 1000),
            row(30_000, 10_000 * 0.7 * 0.7 * 0.7 * 0.7 * 0.7 * 0.7 / 1000),
            row(31_000, 1));
  }

  @Test
  void oneOrTwoChangesInAPeriodLeaveTheIntervalAsItIs() throws Exception {
    Window lifetime = Window.lifetime(TEN_SECONDS);
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("acts_ever", FeatureType.LONG, Aggregation.COUNT, null, lifetime),
                Feature.adaptiveInterval(
                    "poll_interval_s", "action == 'play'", AdaptiveInterval.DEFAULTS, lifetime)));
    harness = harness(contract);

    play(contract, 0, 100);
    play(contract, 5_000, 100);
    play(contract, 12_000, 100);
    play(contract, 21_000, 100);
    play(contract, 29_000, 100);
    // Events, but not changes by the feature's filter: [30 s, 40 s) stays quiet.
    act(contract, 31_000, "skip", 100);
    act(contract, 32_000, "like", 100);
    act(contract, 33_000, "skip", 100);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 2, 10), row(20_000, 3, 10), row(30_000, 5, 10), row(40_000, 8, 15));
  }

  @Test
  void everyPeriodThatEndsBetweenTwoWindowEndsIsApplied() throws Exception {
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
                pollInterval(Duration.ofMinutes(1))));
    harness = harness(contract);

    play(contract, 0, 100);
    harness.processWatermark(180_000 - 1);

    // By 60 s four periods have ended (10 s, 20 s, 35 s, 57.5 s); by 120 s one more (91.25 s).
    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 1, NULL),
            row(40_000, 0, NULL),
            row(60_000, 0, 33.75),
            row(120_000, 0, 50.625),
            row(180_000, 0, 75.9375));
  }

  @Test
  void eventsBeyondTheCurrentPeriodCountInThePeriodTheyFallIn() throws Exception {
    Contract contract = contract(Duration.ZERO, List.of(pollInterval(TEN_SECONDS)));
    harness = harness(contract);

    play(contract, 0, 100);
    harness.processWatermark(999);
    // The current period is [0, 10 s); these wait for [20 s, 35 s), which they make busy.
    play(contract, 25_000, 100);
    play(contract, 26_000, 100);
    play(contract, 27_000, 100);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 10), row(20_000, 15), row(40_000, 10.5), row(50_000, 15.75));
  }

  @Test
  void theFirstPeriodOpensAtTheEarliestEventNotTheFirstToArrive() throws Exception {
    Contract contract = contract(Duration.ZERO, List.of(pollInterval(TEN_SECONDS)));
    harness = harness(contract);

    play(contract, 9_000, 100);
    play(contract, 500, 100);
    for (long windowEnd = 10_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    // [0.5 s, 10.5 s) holds both, [10.5 s, 20.5 s) is quiet, then [20.5 s, 35.5 s).
    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 10), row(30_000, 15), row(40_000, 22.5));
  }

  @Test
  void aLateEventWhosePeriodWasJudgedCountsInTheCurrentPeriod() throws Exception {
    Contract contract = contract(Duration.ofSeconds(30), List.of(pollInterval(TEN_SECONDS)));
    harness = harness(contract);

    play(contract, 0, 100);
    harness.processWatermark(9_999);
    harness.processWatermark(19_999);
    // [10 s, 20 s) was judged quiet (15 s); the event of 12 s joins [20 s, 35 s) and makes it
    // busy with the two below.
    play(contract, 12_000, 100);
    play(contract, 25_000, 100);
    play(contract, 30_000, 100);
    harness.processWatermark(29_999);
    harness.processWatermark(39_999);

    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS)).isNull();
    assertThat(harness.extractOutputValues())
        .containsExactly(row(10_000, 10), row(20_000, 15), row(40_000, 10.5));
  }

  @Test
  void aLateEventWhosePeriodTheWatermarkPassedBetweenWindowEndsCountsInTheCurrentPeriod()
      throws Exception {
    Contract contract =
        contract(Duration.ofSeconds(30), List.of(pollInterval(Duration.ofMinutes(1))));
    harness = harness(contract);

    play(contract, 0, 100);
    harness.processWatermark(59_999);
    // The watermark passes the end of [57.5 s, 91.25 s) with no window end: the period is judged
    // quiet (50.625 s) all the same, and the event of 70 s counts in [91.25 s, 141.875 s).
    harness.processWatermark(95_000);
    play(contract, 70_000, 100);
    harness.processWatermark(179_999);

    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS)).isNull();
    assertThat(harness.extractOutputValues())
        .containsExactly(row(60_000, 33.75), row(120_000, 50.625));
  }

  @Test
  void aSettledIntervalCountsALaterChangeInThePeriodItFallsIn() throws Exception {
    AdaptiveInterval rules =
        new AdaptiveInterval(
            Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(2), 1.1, 0.5, 1);
    Contract contract =
        contract(
            Duration.ZERO,
            List.of(
                Feature.adaptiveInterval(
                    "poll_interval_s", null, rules, Window.lifetime(TEN_SECONDS))));
    harness = harness(contract);

    play(contract, 0, 100);
    harness.processWatermark(9_999);
    harness.processWatermark(19_999);
    assertThat(harness.numEventTimeTimers())
        .as("settled at the maximum: only the key's end")
        .isEqualTo(1);
    // Quiet 2 s periods follow from 13.437 s; the change of 25.5 s waits, and falls in
    // [25.437 s, 27.437 s), which halves the interval.
    play(contract, 25_500, 100);
    for (long windowEnd = 30_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    assertThat(harness.extractOutputValues())
        .containsExactly(
            row(10_000, 2_000 * 0.5 * 1.1 * 1.1 * 1.1 * 1.1 * 1.1 * 1.1 / 1000),
            row(20_000, 2),
            row(30_000, 2_000 * 0.5 * 1.1 * 1.1 / 1000),
            row(40_000, 2));
  }

  @Test
  void adaptiveStateRestoredUnderAContractWithOneMoreFeatureKeepsItsPeriodsAndBufferedEvents()
      throws Exception {
    Feature interval = pollInterval(TEN_SECONDS);
    Contract before = contract(Duration.ZERO, List.of(interval));
    harness = harness(before);
    play(before, 0, 100);
    harness.processWatermark(999);
    play(before, 25_000, 100);
    play(before, 26_000, 100);
    play(before, 27_000, 100);
    harness.processWatermark(9_999);
    assertThat(harness.extractOutputValues()).containsExactly(row(10_000, 10));
    OperatorSubtaskState snapshot = harness.snapshot(1, 1);
    harness.close();

    Contract after = contract(Duration.ZERO, List.of(playsEver(), interval));
    harness = restored(snapshot, ContractPlan.of(after));
    play(after, 41_000, 100);
    for (long windowEnd = 20_000; windowEnd <= 50_000; windowEnd += 10_000) {
      harness.processWatermark(windowEnd - 1);
    }

    // The buffered events make [20 s, 35 s) busy; the one of 41 s keeps [35 s, 45.5 s) as it is.
    assertThat(harness.extractOutputValues())
        .containsExactly(row(20_000, 0, 15), row(40_000, 0, 10.5), row(50_000, 1, 10.5));
  }

  @Test
  void generatedFileEventsThroughAnAdaptiveContractGiveTheReferenceRows() throws Exception {
    Contract contract =
        new ContractLoader()
            .loadFiles(
                List.of(Path.of("src/test/resources/contracts/directory_poll_interval.yaml")))
            .get(0);
    List<FileEvent> events =
        FileTraceGenerator.builder()
            .seed(17)
            .hosts(3)
            .directoriesPerHost(4)
            .observationsPerSecond(10)
            .startMillis(1_767_225_600_000L)
            .build()
            .generate(6_000)
            .truth();
    harness = harness(contract);
    ContractInputs inputs = new ContractInputs(contract);

    // The normalized changes in event-time order, under a watermark 1 s behind the latest.
    long latest = Long.MIN_VALUE;
    for (Event event : events) {
      for (FeatureInput input : inputs.inputsFor(event)) {
        harness.processElement(input, event.eventTime());
      }
      if (event.eventTime() > latest) {
        latest = event.eventTime();
        harness.processWatermark(latest - 1_001);
      }
    }
    harness.processWatermark(Long.MAX_VALUE - 1);

    List<FeatureRow> expected = ReferenceFeatures.compute(List.of(contract), events);
    assertThat(harness.getSideOutput(TileAggregator.LATE_EVENTS)).isNull();
    assertThat(harness.extractOutputValues()).containsExactlyInAnyOrderElementsOf(expected);
    // The rows cover what the aggregation does: busy periods below the start, quiet ones up to
    // the maximum, and periods of one or two changes between them.
    assertThat(expected).extracting(row -> row.values[0]).contains(120.0).anyMatch(v -> v < 10);
    assertThat(expected).extracting(row -> row.values[1]).contains(300.0).anyMatch(v -> v < 10);
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  private void play(Contract contract, long eventTime, long playedMs) throws Exception {
    act(contract, eventTime, "play", playedMs);
  }

  private void act(Contract contract, long eventTime, String action, long playedMs)
      throws Exception {
    harness.processElement(input(contract, "user-1", eventTime, action, playedMs), eventTime);
  }

  private void listen(Contract contract, long eventTime, String artist) throws Exception {
    playBy(contract, eventTime, artist, 100);
  }

  private void playBy(Contract contract, long eventTime, String artist, long playedMs)
      throws Exception {
    BehaviourEvent event = event("user-1", eventTime, "play", playedMs);
    event.artistId = artist;
    harness.processElement(new ContractInputs(contract).inputsFor(event).get(0), eventTime);
  }

  private static FeatureInput input(Contract contract, String user, long eventTime, long playedMs) {
    return input(contract, user, eventTime, "play", playedMs);
  }

  private static FeatureInput input(
      Contract contract, String user, long eventTime, String action, long playedMs) {
    return new ContractInputs(contract).inputsFor(event(user, eventTime, action, playedMs)).get(0);
  }

  private static BehaviourEvent event(String user, long eventTime, String action, long playedMs) {
    BehaviourEvent event = new BehaviourEvent();
    event.eventId = "e" + eventTime;
    event.userId = user;
    event.action = action;
    event.playedMs = playedMs;
    event.ts = eventTime;
    return event;
  }

  private static FeatureRow row(long featureTime, double... values) {
    return new FeatureRow("listening", "user-1", featureTime, values);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> harness(
      Contract contract) throws Exception {
    return harness(ContractPlan.of(contract));
  }

  private Map<String, Long> stateKeys() {
    return ((TileAggregatorOperator) harness.getOneInputOperator()).keysPerContract();
  }

  /** The job's aggregation operator over {@code plans}, open. */
  private static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> harness(
      ContractPlan... plans) throws Exception {
    return restored(null, plans);
  }

  /**
   * The job's aggregation operator over {@code plans}, its state restored from {@code snapshot}.
   */
  private static KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> restored(
      OperatorSubtaskState snapshot, ContractPlan... plans) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, FeatureRow> restored =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new TileAggregatorOperator(List.of(plans)), FeatureInput::key, Types.STRING);
    restored.setup();
    restored.initializeState(snapshot);
    restored.open();
    return restored;
  }

  private static Contract contract(Duration allowedLateness) {
    return contract(
        allowedLateness,
        List.of(
            feature("plays", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
            feature(
                "total_20s",
                FeatureType.LONG,
                Aggregation.SUM,
                "played_ms",
                Window.tumbling(Duration.ofSeconds(20))),
            feature("avg", FeatureType.DOUBLE, Aggregation.AVG, "played_ms", SLIDING_30S),
            feature("shortest", FeatureType.LONG, Aggregation.MIN, "played_ms", SLIDING_30S),
            feature("longest", FeatureType.LONG, Aggregation.MAX, "played_ms", SLIDING_30S),
            feature("latest", FeatureType.LONG, Aggregation.LAST, "played_ms", SLIDING_30S)));
  }

  /** A lifetime count beside a windowed one: its state outlives its tiles until state_ttl. */
  private static Contract lifetimeContract() {
    return contract(
        Duration.ZERO,
        List.of(
            feature("plays_30s", FeatureType.LONG, Aggregation.COUNT, null, SLIDING_30S),
            playsEver()));
  }

  /** Every event of the entity, written at each 10 s hop end. */
  private static Feature playsEver() {
    return feature(
        "plays_ever", FeatureType.LONG, Aggregation.COUNT, null, Window.lifetime(TEN_SECONDS));
  }

  private static Contract statisticsContract() {
    return contract(
        Duration.ZERO,
        List.of(
            feature(
                "first_20s",
                FeatureType.LONG,
                Aggregation.FIRST,
                "played_ms",
                Window.tumbling(Duration.ofSeconds(20))),
            new Feature(
                "skip_ratio",
                FeatureType.DOUBLE,
                Aggregation.RATIO,
                null,
                null,
                "action == 'skip'",
                "true",
                SLIDING_30S,
                null,
                null,
                null),
            feature("spread", FeatureType.DOUBLE, Aggregation.STDDEV, "played_ms", SLIDING_30S)));
  }

  private static Contract contract(Duration allowedLateness, List<Feature> features) {
    return contract(allowedLateness, features, List.of());
  }

  private static Contract contract(
      Duration allowedLateness, List<Feature> features, List<DerivedFeature> derived) {
    return contract(allowedLateness, features, derived, Duration.ZERO);
  }

  private static Contract contract(
      Duration allowedLateness,
      List<Feature> features,
      List<DerivedFeature> derived,
      Duration emitMinInterval) {
    return contract("listening", allowedLateness, features, derived, emitMinInterval);
  }

  private static Contract contract(
      String name,
      Duration allowedLateness,
      List<Feature> features,
      List<DerivedFeature> derived,
      Duration emitMinInterval) {
    return contract(
        name, allowedLateness, features, derived, emitMinInterval, Duration.ofMinutes(10));
  }

  private static Contract contract(
      String name,
      Duration allowedLateness,
      List<Feature> features,
      List<DerivedFeature> derived,
      Duration emitMinInterval,
      Duration stateTtl) {
    return new Contract(
        name,
        1,
        "recs",
        "test contract",
        List.of(),
        Lifecycle.ACTIVE,
        Entity.of("user", "user_id", KeyType.STRING),
        EventStream.BEHAVIOUR,
        null,
        features,
        derived,
        stateTtl,
        Duration.ofSeconds(5),
        allowedLateness,
        emitMinInterval,
        "listening",
        List.of("event_date"),
        OnlineSink.DISABLED,
        "test");
  }

  /** A poll interval of every event, with the default rules. */
  private static Feature pollInterval(Duration hop) {
    return Feature.adaptiveInterval(
        "poll_interval_s", null, AdaptiveInterval.DEFAULTS, Window.lifetime(hop));
  }

  private static Feature distinctArtists(Window window) {
    return feature("artists", FeatureType.LONG, Aggregation.DISTINCT_COUNT, "artist_id", window);
  }

  private static Feature topArtists(int k) {
    return new Feature(
        "top_artists",
        FeatureType.STRING_LIST,
        Aggregation.TOP_K,
        "artist_id",
        null,
        null,
        null,
        SLIDING_30S,
        null,
        k,
        null);
  }

  private static Feature feature(
      String name, FeatureType type, Aggregation aggregation, String field, Window window) {
    return Feature.of(name, type, aggregation, field, null, window);
  }
}
