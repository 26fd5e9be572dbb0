package dev.freshet.delta.internal;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;

/**
 * Copies the checkpoint id Flink attached to each committable message into the committable itself,
 * because a {@link org.apache.flink.api.connector.sink2.Committer} only sees committables and the
 * Delta commit needs the id for its transaction version.
 */
public final class CheckpointIdStamper
    implements MapFunction<
        CommittableMessage<DeltaCommittable>, CommittableMessage<DeltaCommittable>> {

  @Override
  public CommittableMessage<DeltaCommittable> map(CommittableMessage<DeltaCommittable> message) {
    if (message instanceof CommittableWithLineage<DeltaCommittable> withLineage) {
      long checkpointId = withLineage.getCheckpointId();
      return withLineage.map(committable -> committable.withCheckpointId(checkpointId));
    }
    if (message instanceof CommittableSummary<DeltaCommittable>) {
      return message;
    }
    throw new IllegalStateException("Unexpected committable message " + message);
  }
}
