package dev.freshet.delta;

import dev.freshet.delta.internal.NoOpCommitListener;
import java.io.Serializable;
import org.apache.flink.metrics.MetricGroup;

/**
 * Hears about each Delta commit the sink's committer makes: one call pair per table and checkpoint
 * that adds files. Commits skipped as already done (after a restore) are not reported.
 *
 * <p>It runs on the committer's table threads, which commit the tables of a checkpoint in parallel,
 * so it must be quick and safe to call concurrently for different tables. An exception thrown from
 * it fails the job like a failed commit; the job then restores and the commit is recognised as
 * already made, which is what failure-injection tests rely on.
 */
public interface DeltaCommitListener extends Serializable {

  /** Hears nothing; what a sink has when no listener is configured. */
  DeltaCommitListener NONE = NoOpCommitListener.INSTANCE;

  /**
   * Called once per committer before any commit, with the committer's metric group, so a listener
   * can register metrics.
   */
  default void open(MetricGroup committerMetricGroup) {}

  /** Called before the commit of {@code checkpointId}'s files to {@code table} is attempted. */
  default void beforeCommit(String table, long checkpointId) {}

  /** Called once the commit is durable in the Delta log. */
  default void afterCommit(DeltaCommit commit) {}
}
