package dev.freshet.delta;

import dev.freshet.delta.internal.CheckpointIdStamper;
import dev.freshet.delta.internal.DeltaCommittable;
import dev.freshet.delta.internal.DeltaCommittableSerializer;
import dev.freshet.delta.internal.DeltaLogCommitter;
import dev.freshet.delta.internal.DeltaSinkSettings;
import dev.freshet.delta.internal.DeltaSinkWriter;
import dev.freshet.delta.internal.ToFirstCommitter;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An exactly-once sink of {@link DeltaRow}s into Delta Lake tables, one table per {@link
 * DeltaTableSchema}, each at {@code basePath/<table name>}.
 *
 * <p>Writers (any parallelism) write Parquet files and close them at every checkpoint. Their file
 * descriptions all go to one committer subtask, which, once the checkpoint completes, adds them to
 * each table in one Delta commit per checkpoint and table, recording {@code (appId, checkpoint id)}
 * in the same commit so that a replay after failover is recognised and skipped. Files therefore
 * become visible when their checkpoint completes: the checkpoint interval is the data freshness.
 *
 * <p>The single committer is a pre-commit topology rather than a post-commit global committer on
 * purpose: in Flink 2.2 a global committer can lose the committables of the final checkpoint of a
 * bounded job (FLINK-38614), while a committer commits them itself when that checkpoint completes.
 *
 * <p>The app id names the job's lineage: keep it across restores from checkpoints and savepoints,
 * change it when the job starts from scratch (see {@link DeltaSinkBuilder#appId}). Each table must
 * be written by one sink only. Set a {@code uid} on the sink ({@code sinkTo(sink).uid(..)}) so its
 * committer's state survives job changes.
 *
 * <p>The committer exports these metrics for every table of the sink, registered when it is
 * created, in the key-value group {@value #TABLE_METRIC_GROUP} (Prometheus labels them {@code
 * table="<table name>"}, e.g. {@code flink_taskmanager_job_task_operator_table_deltaCommitMs}):
 *
 * <ul>
 *   <li>{@value #COMMIT_MILLIS_METRIC}, histogram: milliseconds one commit (one table, one
 *       checkpoint) took from the start of its first attempt until it was durable, retries
 *       included; commits skipped as already done are not measured;
 *   <li>{@value #TABLE_VERSION_METRIC}, gauge (long): the latest table version this committer
 *       committed, -1 before its first commit;
 *   <li>{@value #COMMIT_CONFLICTS_METRIC}, counter: commit attempts that lost to another writer's
 *       concurrent commit; each is retried while attempts remain.
 * </ul>
 *
 * <p>Every committer subtask registers them, but only the first one commits, so the others keep -1
 * and empty histograms: aggregate over subtasks with max, or select subtask 0.
 *
 * <p>Create with {@link #builder()}.
 */
public final class DeltaSink
    implements Sink<DeltaRow>,
        SupportsCommitter<DeltaCommittable>,
        SupportsPreCommitTopology<DeltaCommittable, DeltaCommittable> {

  /** The key of the key-value metric group, valued with the table name, of a table's metrics. */
  public static final String TABLE_METRIC_GROUP = "table";

  /** Histogram of the milliseconds one commit took, retries included. */
  public static final String COMMIT_MILLIS_METRIC = "deltaCommitMs";

  /** Gauge of the latest table version the committer committed, -1 before its first commit. */
  public static final String TABLE_VERSION_METRIC = "deltaTableVersion";

  /** Counter of commit attempts that lost to another writer's concurrent commit. */
  public static final String COMMIT_CONFLICTS_METRIC = "deltaCommitConflicts";

  private static final long serialVersionUID = 1L;

  private final DeltaSinkSettings settings;

  DeltaSink(DeltaSinkSettings settings) {
    this.settings = settings;
  }

  public static DeltaSinkBuilder builder() {
    return new DeltaSinkBuilder();
  }

  @Override
  public DeltaSinkWriter createWriter(WriterInitContext context) {
    return new DeltaSinkWriter(settings, context.getTaskInfo().getIndexOfThisSubtask());
  }

  @Override
  public SimpleVersionedSerializer<DeltaCommittable> getWriteResultSerializer() {
    return new DeltaCommittableSerializer();
  }

  @Override
  public DataStream<CommittableMessage<DeltaCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<DeltaCommittable>> written) {
    return written
        .partitionCustom(new ToFirstCommitter(), new ToFirstCommitter())
        .map(new CheckpointIdStamper())
        .returns(CommittableMessageTypeInfo.of(DeltaCommittableSerializer::new))
        .name("Delta Checkpoint Id");
  }

  @Override
  public Committer<DeltaCommittable> createCommitter(CommitterInitContext context) {
    return new DeltaLogCommitter(
        settings, context.getRestoredCheckpointId(), context.metricGroup());
  }

  @Override
  public SimpleVersionedSerializer<DeltaCommittable> getCommittableSerializer() {
    return new DeltaCommittableSerializer();
  }
}
