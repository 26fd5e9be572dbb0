package dev.freshet.bench.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run of the harness measured.
 *
 * @param startedAt when the harness started, ISO-8601 UTC; also names the result files
 * @param gitCommit the commit measured, or {@code unknown}
 * @param machine in the order given: cores, JVM, heap, OS and load average at the start
 * @param settings the harness' options: profile, events, runs, seed, scenarios
 * @param ratios printed first: the figures that matter, each against its baseline of the same run
 * @param figures every figure of every scenario
 * @param targets the goals of the code, met or not
 * @param plots the charts
 * @param notes what a reader of the figures must know (scenarios skipped and why, definitions)
 */
public record BenchmarkResults(
    String startedAt,
    String gitCommit,
    Map<String, String> machine,
    Map<String, String> settings,
    List<Ratio> ratios,
    List<Figure> figures,
    List<Target> targets,
    List<Plot> plots,
    List<String> notes) {

  public BenchmarkResults {
    machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    ratios = List.copyOf(ratios);
    figures = List.copyOf(figures);
    targets = List.copyOf(targets);
    plots = List.copyOf(plots);
    notes = List.copyOf(notes);
  }
}
