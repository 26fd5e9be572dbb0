package dev.freshet.job;

import dev.freshet.contract.AdaptiveInterval;
import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.Feature;
import dev.freshet.contract.FeatureExpressions;
import dev.freshet.events.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected feature rows, computed the slow and obvious way: for every window end, every feature
 * is recomputed from the raw events in its window; a row is expected wherever the values change. It
 * shares no code with the tiles, so it checks them. An adaptive_interval replays its poll periods
 * from the entity's first event, counting each period's events from the raw list (see {@link
 * AdaptiveSchedule}); it shares no code with the job's recurrence either.
 */
final class ReferenceFeatures {

  private ReferenceFeatures() {}

  static List<FeatureRow> compute(List<Contract> contracts, List<? extends Event> events) {
    List<FeatureRow> rows = new ArrayList<>();
    for (Contract contract : contracts) {
      ContractInputs inputs = new ContractInputs(contract);
      Map<String, List<FeatureInput>> byEntity = new TreeMap<>();
      for (Event event : events) {
        for (FeatureInput input : inputs.inputsFor(event)) {
          byEntity.computeIfAbsent(input.entityKey, k -> new ArrayList<>()).add(input);
        }
      }
      byEntity.forEach(
          (entity, entityInputs) -> rows.addAll(rowsOf(contract, entity, entityInputs)));
    }
    return rows;
  }

  private static List<FeatureRow> rowsOf(
      Contract contract, String entity, List<FeatureInput> inputs) {
    ContractPlan plan = ContractPlan.of(contract);
    long first = inputs.stream().mapToLong(input -> input.eventTime).min().orElseThrow();
    long last = inputs.stream().mapToLong(input -> input.eventTime).max().orElseThrow();
    long longestHop = Arrays.stream(plan.hopMillis).max().orElseThrow();
    FeatureValues empty = plan.emptyValues();
    FeatureValues values = empty;
    FeatureValues written = empty;
    long writtenAt = Long.MIN_VALUE;
    long lifetimeFrom = Long.MIN_VALUE;
    long interval = contract.emitMinInterval().toMillis();
    // An adaptive interval keeps changing after the last event, until it reaches its maximum.
    long lastChange = last;
    Map<List<Long>, AdaptiveSchedule> schedules = new HashMap<>();
    for (int f = 0; f < plan.featureCount(); f++) {
      Feature feature = contract.features().get(f);
      if (feature.aggregation() == Aggregation.ADAPTIVE_INTERVAL) {
        lastChange =
            Math.max(lastChange, AdaptiveSchedule.of(feature, f, inputs, Long.MIN_VALUE).lastEnd());
      }
    }
    List<FeatureRow> rows = new ArrayList<>();
    for (long end = plan.tileStart(first) + plan.tileMillis;
        end <= lastChange + plan.tileHorizonMillis + 2 * longestHop + 2 * interval;
        end += plan.tileMillis) {
      boolean windowEnd = false;
      FeatureValues current = values.copy();
      for (int f = 0; f < plan.featureCount(); f++) {
        if (plan.closesAt(f, end)) {
          windowEnd = true;
          long from = plan.lifetime[f] ? lifetimeFrom : end - plan.sizeMillis[f];
          setValue(contract, f, inputs, from, end, current, schedules);
        }
      }
      if (!windowEnd) {
        continue;
      }
      values = current;
      boolean intervalPassed = writtenAt == Long.MIN_VALUE || end - writtenAt >= interval;
      if (!current.sameAs(written) && intervalPassed) {
        rows.add(row(contract, entity, end, current));
        written = current;
        writtenAt = end;
      }
      long windowEndNow = end;
      boolean eventsLeft =
          inputs.stream()
              .anyMatch(
                  input -> plan.tileStart(input.eventTime) + plan.tileHorizonMillis > windowEndNow);
      if (!eventsLeft && current.sameAs(empty) && written.sameAs(empty)) {
        writtenAt = Long.MIN_VALUE;
        lifetimeFrom = end;
      }
    }
    return rows;
  }

  /** Feature {@code f} over the inputs in [from, to), written into {@code values}. */
  private static void setValue(
      Contract contract,
      int f,
      List<FeatureInput> inputs,
      long from,
      long to,
      FeatureValues values,
      Map<List<Long>, AdaptiveSchedule> schedules) {
    Feature feature = contract.features().get(f);
    if (feature.aggregation() == Aggregation.ADAPTIVE_INTERVAL) {
      values.numbers[f] =
          schedules
              .computeIfAbsent(
                  List.of((long) f, from), key -> AdaptiveSchedule.of(feature, f, inputs, from))
              .valueAt(to);
      return;
    }
    List<FeatureInput> inWindow =
        inputs.stream()
            .filter(input -> input.eventTime >= from && input.eventTime < to)
            .filter(
                input ->
                    feature.aggregation().foldsItems()
                        ? input.items[f] != null
                        : !Double.isNaN(input.inputs[f]))
            .toList();
    switch (feature.aggregation()) {
      case DISTINCT_COUNT ->
          values.numbers[f] =
              inWindow.isEmpty()
                  ? emptyValue(feature)
                  : inWindow.stream().map(input -> input.items[f]).distinct().count();
      case TOP_K -> values.lists[f] = topK(inWindow, f, feature.k());
      default -> values.numbers[f] = numberOf(feature, f, inWindow);
    }
  }

  /** Exact counts, most frequent first, ties by the smaller value. */
  private static String[] topK(List<FeatureInput> inWindow, int f, int k) {
    Map<String, Long> counts = new TreeMap<>();
    inWindow.forEach(input -> counts.merge(input.items[f], 1L, Long::sum));
    return counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(k)
        .map(Map.Entry::getKey)
        .toArray(String[]::new);
  }

  private static double emptyValue(Feature feature) {
    return feature.defaultValue() != null
        ? feature.defaultValue()
        : ContractPlan.aggregationEmptyValue(feature.aggregation());
  }

  private static double numberOf(Feature feature, int f, List<FeatureInput> inWindow) {
    List<double[]> timedValues = new ArrayList<>();
    for (FeatureInput input : inWindow) {
      timedValues.add(new double[] {input.eventTime, input.inputs[f]});
    }
    if (timedValues.isEmpty()) {
      return emptyValue(feature);
    }
    double sum = timedValues.stream().mapToDouble(v -> v[1]).sum();
    Aggregation aggregation = feature.aggregation();
    return switch (aggregation) {
      case COUNT -> timedValues.size();
      case SUM -> sum;
      case AVG, RATIO -> sum / timedValues.size();
      case STDDEV -> stddev(timedValues);
      case MIN -> timedValues.stream().mapToDouble(v -> v[1]).min().orElseThrow();
      case MAX -> timedValues.stream().mapToDouble(v -> v[1]).max().orElseThrow();
      case FIRST ->
          timedValues.stream()
              .min(Comparator.<double[]>comparingDouble(v -> v[0]).thenComparingDouble(v -> v[1]))
              .orElseThrow()[1];
      case LAST ->
          timedValues.stream()
              .max(Comparator.<double[]>comparingDouble(v -> v[0]).thenComparingDouble(v -> v[1]))
              .orElseThrow()[1];
      case DISTINCT_COUNT, TOP_K, ADAPTIVE_INTERVAL ->
          throw new IllegalArgumentException(aggregation.yamlName());
    };
  }

  /** Two-pass population standard deviation, as a textbook computes it. */
  private static double stddev(List<double[]> timedValues) {
    double mean = timedValues.stream().mapToDouble(v -> v[1]).average().orElseThrow();
    double squares = timedValues.stream().mapToDouble(v -> (v[1] - mean) * (v[1] - mean)).sum();
    return Math.sqrt(squares / timedValues.size());
  }

  /**
   * The poll periods of one adaptive_interval feature, replayed from its first accepted event at or
   * after {@code from}: each period's events counted from the list, the interval after each
   * period's end recorded, until the periods lie beyond the last event and the interval is at its
   * maximum, where it stays.
   */
  private static final class AdaptiveSchedule {
    /** The first accepted event's time; Long.MAX_VALUE for none. */
    private final long firstEvent;

    private final double initialMillis;

    /** Period ends, in order, and the interval in milliseconds after each. */
    private final List<Long> ends = new ArrayList<>();

    private final List<Double> intervals = new ArrayList<>();

    private AdaptiveSchedule(long firstEvent, double initialMillis) {
      this.firstEvent = firstEvent;
      this.initialMillis = initialMillis;
    }

    static AdaptiveSchedule of(Feature feature, int f, List<FeatureInput> inputs, long from) {
      AdaptiveInterval rules = feature.adaptive();
      List<Long> times =
          inputs.stream()
              .filter(input -> !Double.isNaN(input.inputs[f]) && input.eventTime >= from)
              .map(input -> input.eventTime)
              .sorted()
              .toList();
      double initial = rules.initial().toMillis();
      if (times.isEmpty()) {
        return new AdaptiveSchedule(Long.MAX_VALUE, initial);
      }
      AdaptiveSchedule schedule = new AdaptiveSchedule(times.get(0), initial);
      double min = rules.min().toMillis();
      double max = rules.max().toMillis();
      long lastEvent = times.get(times.size() - 1);
      double interval = initial;
      long start = times.get(0);
      long end = start + rules.initial().toMillis();
      while (true) {
        long periodStart = start;
        long periodEnd = end;
        long changes = times.stream().filter(t -> t >= periodStart && t < periodEnd).count();
        if (changes == 0) {
          interval = interval * rules.quietFactor();
        } else if (changes >= rules.busyAt()) {
          interval = interval * rules.busyFactor();
        }
        interval = Math.max(min, Math.min(max, interval));
        schedule.ends.add(end);
        schedule.intervals.add(interval);
        start = end;
        end = start + Math.round(interval);
        if (start > lastEvent && interval == max) {
          return schedule;
        }
      }
    }

    /** The value at the window end {@code windowEnd}: seconds, or NaN before the first event. */
    double valueAt(long windowEnd) {
      if (firstEvent >= windowEnd) {
        return Double.NaN;
      }
      double interval = initialMillis;
      for (int i = 0; i < ends.size() && ends.get(i) <= windowEnd; i++) {
        interval = intervals.get(i);
      }
      return interval / 1000;
    }

    /** The end of the last period that can change the interval; Long.MIN_VALUE for none. */
    long lastEnd() {
      return ends.isEmpty() ? Long.MIN_VALUE : ends.get(ends.size() - 1);
    }
  }

  /** The row of the values, derived features evaluated on them as CEL defines them. */
  private static FeatureRow row(Contract contract, String entity, long end, FeatureValues values) {
    FeatureExpressions expressions = new FeatureExpressions(contract.features());
    int features = values.numbers.length;
    int derived = contract.derived().size();
    double[] numbers = Arrays.copyOf(values.numbers, features + derived);
    String[][] lists =
        values.lists == null ? null : Arrays.copyOf(values.lists, features + derived);
    for (int d = 0; d < derived; d++) {
      numbers[features + d] =
          expressions
              .program(contract.derived().get(d).expression())
              .evaluate(values.numbers, values.lists);
    }
    return new FeatureRow(contract.id(), entity, end, numbers, lists);
  }
}
