package dev.freshet.bench.results;

import java.util.ArrayList;
import java.util.List;

/**
 * One figure divided by another, run by run: the scenarios' runs alternate, so run i of each was
 * measured close in time, and dividing pairs cancels most of what a noisy machine drifts.
 *
 * @param name e.g. {@code our job ÷ ceiling}
 * @param numerator the figure above the line
 * @param denominator the figure below it
 * @param perRun the quotient of each pair of runs
 */
public record Ratio(String name, Figure numerator, Figure denominator, List<Double> perRun) {

  public Ratio {
    perRun = List.copyOf(perRun);
  }

  /** Pairs run i of each figure; the longer figure's extra runs are left out. */
  public static Ratio of(String name, Figure numerator, Figure denominator) {
    int pairs = Math.min(numerator.runs().size(), denominator.runs().size());
    List<Double> quotients = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      quotients.add(numerator.runs().get(i) / denominator.runs().get(i));
    }
    return new Ratio(name, numerator, denominator, quotients);
  }

  public double median() {
    return Stats.median(perRun);
  }

  public double min() {
    return Stats.min(perRun);
  }

  public double max() {
    return Stats.max(perRun);
  }
}
