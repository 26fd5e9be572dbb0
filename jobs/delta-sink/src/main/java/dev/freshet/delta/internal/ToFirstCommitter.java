package dev.freshet.delta.internal;

import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;

/**
 * Routes every committable message to subtask 0, so that a single committer subtask commits to the
 * Delta logs: on a local or HDFS file system a Delta commit is an exists-check plus rename, so two
 * committers of one table would race.
 */
public final class ToFirstCommitter
    implements Partitioner<Integer>, KeySelector<CommittableMessage<DeltaCommittable>, Integer> {

  private static final Integer FIRST = 0;

  @Override
  public Integer getKey(CommittableMessage<DeltaCommittable> message) {
    return FIRST;
  }

  @Override
  public int partition(Integer key, int numPartitions) {
    return FIRST;
  }
}
