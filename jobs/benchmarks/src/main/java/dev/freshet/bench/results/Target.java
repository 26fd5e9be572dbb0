package dev.freshet.bench.results;

/**
 * A goal the code should reach, judged on a measured median. A goal, never an assertion: the
 * harness prints whether it was met.
 *
 * @param name e.g. {@code throughput ÷ ceiling}
 * @param goal the goal in words, e.g. {@code at least 0.3 × the ceiling}
 * @param bound the threshold
 * @param upper true when the measured value must be at most the bound, false for at least
 * @param measured the measured value, or null when this run did not measure it
 * @param unit the unit of bound and measured value
 */
public record Target(
    String name, String goal, double bound, boolean upper, Double measured, String unit) {

  /** Whether the goal was met, not met, or not measured in this run. */
  public enum Status {
    MET,
    NOT_MET,
    NOT_MEASURED
  }

  public static Target atLeast(
      String name, String goal, double bound, Double measured, String unit) {
    return new Target(name, goal, bound, false, measured, unit);
  }

  public static Target atMost(
      String name, String goal, double bound, Double measured, String unit) {
    return new Target(name, goal, bound, true, measured, unit);
  }

  public Status status() {
    if (measured == null || measured.isNaN()) {
      return Status.NOT_MEASURED;
    }
    boolean met = upper ? measured <= bound : measured >= bound;
    return met ? Status.MET : Status.NOT_MET;
  }
}
