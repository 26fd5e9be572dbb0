package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.Feature;
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
      Map<String, List<Event>> byEntity = new TreeMap<>();
      for (Event event : events) {
        if (event.stream() != contract.source()) {
          continue;
        }
        Object key = event.field(contract.entity().keyField());
        if (key != null && ContractRouter.inputsFor(contract, event) != null) {
          byEntity.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(event);
        }
      }
      byEntity.forEach(
          (entity, entityEvents) -> rows.addAll(rowsOf(contract, entity, entityEvents)));
    }
    return rows;
  }

  private static List<FeatureRow> rowsOf(Contract contract, String entity, List<Event> events) {
    ContractPlan plan = ContractPlan.of(contract);
    long first = events.stream().mapToLong(Event::eventTime).min().orElseThrow();
    long last = events.stream().mapToLong(Event::eventTime).max().orElseThrow();
    long longestHop = Arrays.stream(plan.hopMillis).max().orElseThrow();
    double[] previous = plan.emptyValues();
    List<FeatureRow> rows = new ArrayList<>();
    for (long end = plan.tileStart(first) + plan.tileMillis;
        end <= last + plan.largestWindowMillis + 2 * longestHop;
        end += plan.tileMillis) {
      double[] current = previous.clone();
      for (int f = 0; f < plan.featureCount(); f++) {
        if (plan.closesAt(f, end)) {
          current[f] = valueOf(contract, f, events, end - plan.sizeMillis[f], end);
        }
      }
      if (!Arrays.equals(current, previous)) {
        rows.add(new FeatureRow(contract.name(), entity, end, current));
        previous = current;
      }
    }
    return rows;
  }

  private static double valueOf(Contract contract, int f, List<Event> events, long from, long to) {
    Feature feature = contract.features().get(f);
    List<double[]> timedValues = new ArrayList<>();
    for (Event event : events) {
      double input = ContractRouter.inputsFor(contract, event)[f];
      if (event.eventTime() >= from && event.eventTime() < to && !Double.isNaN(input)) {
        timedValues.add(new double[] {event.eventTime(), input});
      }
    }
    if (timedValues.isEmpty()) {
      return ContractPlan.emptyValue(feature.aggregation());
    }
    double sum = timedValues.stream().mapToDouble(v -> v[1]).sum();
    Aggregation aggregation = feature.aggregation();
    return switch (aggregation) {
      case COUNT -> timedValues.size();
      case SUM -> sum;
      case AVG -> sum / timedValues.size();
      case MIN -> timedValues.stream().mapToDouble(v -> v[1]).min().orElseThrow();
      case MAX -> timedValues.stream().mapToDouble(v -> v[1]).max().orElseThrow();
      case LAST ->
          timedValues.stream()
              .max(Comparator.<double[]>comparingDouble(v -> v[0]).thenComparingDouble(v -> v[1]))
              .orElseThrow()[1];
    };
  }
}
