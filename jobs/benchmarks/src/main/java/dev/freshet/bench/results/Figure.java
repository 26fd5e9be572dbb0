package dev.freshet.bench.results;

import java.util.List;

/**
 * One quantity of one scenario, measured once per repeated run.
 *
 * @param scenario the scenario's name, e.g. {@code job-heap-delta}
 * @param metric what was measured, e.g. {@code throughput}
 * @param unit e.g. {@code events/s}
 * @param runs the value of each run, in the order the runs happened
 */
public record Figure(String scenario, String metric, String unit, List<Double> runs) {

  public Figure {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("a figure needs at least one run: " + scenario);
    }
    runs = List.copyOf(runs);
  }

  public double median() {
    return Stats.median(runs);
  }

  public double min() {
    return Stats.min(runs);
  }

  public double max() {
    return Stats.max(runs);
  }
}
