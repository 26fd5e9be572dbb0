package dev.freshet.bench;

/** One way of processing the corpus, run several times; every run reads all of it. */
interface Scenario {

  /** A short name for tables and file names, e.g. {@code job-heap-delta}. */
  String name();

  /** What the scenario runs, in a sentence. */
  String description();

  /** Runs once over the whole corpus; {@code run} numbers the runs from 0, -1 for warm-up. */
  Progress run(BenchContext context, int run) throws Exception;
}
