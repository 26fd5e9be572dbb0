package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.Feature;
import dev.freshet.contract.FeatureExpressions;
import dev.freshet.events.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected feature rows, computed the slow and obvious way: for every window end, every feature
 * is recomputed from the raw events in its window; a row is expected wherever the values change. It
 * shares no code with the tiles, so it checks them.
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
    double[] empty = plan.emptyValues();
    double[] values = empty;
    double[] written = empty;
    long writtenAt = Long.MIN_VALUE;
    long interval = contract.emitMinInterval().toMillis();
    List<FeatureRow> rows = new ArrayList<>();
    for (long end = plan.tileStart(first) + plan.tileMillis;
        end <= last + plan.largestWindowMillis + 2 * longestHop + 2 * interval;
        end += plan.tileMillis) {
      boolean windowEnd = false;
      double[] current = values.clone();
      for (int f = 0; f < plan.featureCount(); f++) {
        if (plan.closesAt(f, end)) {
          windowEnd = true;
          current[f] = valueOf(contract, f, inputs, end - plan.sizeMillis[f], end);
        }
      }
      if (!windowEnd) {
        continue;
      }
      values = current;
      boolean intervalPassed = writtenAt == Long.MIN_VALUE || end - writtenAt >= interval;
      if (!TileAggregator.sameValues(current, written) && intervalPassed) {
        rows.add(new FeatureRow(contract.id(), entity, end, withDerived(contract, current)));
        written = current;
        writtenAt = end;
      }
      long windowEndNow = end;
      boolean eventsLeft =
          inputs.stream()
              .anyMatch(
                  input ->
                      plan.tileStart(input.eventTime) + plan.largestWindowMillis > windowEndNow);
      if (!eventsLeft
          && TileAggregator.sameValues(current, empty)
          && TileAggregator.sameValues(written, empty)) {
        writtenAt = Long.MIN_VALUE;
      }
    }
    return rows;
  }

  private static double valueOf(
      Contract contract, int f, List<FeatureInput> inputs, long from, long to) {
    Feature feature = contract.features().get(f);
    List<double[]> timedValues = new ArrayList<>();
    for (FeatureInput input : inputs) {
      double value = input.inputs[f];
      if (input.eventTime >= from && input.eventTime < to && !Double.isNaN(value)) {
        timedValues.add(new double[] {input.eventTime, value});
      }
    }
    if (timedValues.isEmpty()) {
      return feature.defaultValue() != null
          ? feature.defaultValue()
          : ContractPlan.aggregationEmptyValue(feature.aggregation());
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
    };
  }

  /** Two-pass population standard deviation, as a textbook computes it. */
  private static double stddev(List<double[]> timedValues) {
    double mean = timedValues.stream().mapToDouble(v -> v[1]).average().orElseThrow();
    double squares = timedValues.stream().mapToDouble(v -> (v[1] - mean) * (v[1] - mean)).sum();
    return Math.sqrt(squares / timedValues.size());
  }

  /** Derived features evaluated on the row's aggregated values, as CEL defines them. */
  private static double[] withDerived(Contract contract, double[] aggregated) {
    FeatureExpressions expressions = new FeatureExpressions(contract.features());
    double[] values = Arrays.copyOf(aggregated, aggregated.length + contract.derived().size());
    for (int d = 0; d < contract.derived().size(); d++) {
      values[aggregated.length + d] =
          expressions.program(contract.derived().get(d).expression()).evaluate(aggregated);
    }
    return values;
  }
}
