package dev.freshet.bench.recovery;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records of its topics a consumer group has not yet committed. Flink's Kafka source
 * commits offsets when a checkpoint completes, so for the feature job this counts what the last
 * completed checkpoint (and with it the last Delta commit) does not cover yet.
 */
public final class ConsumerLag implements AutoCloseable {

  private final Admin admin;
  private final String group;
  private final List<String> topics;

  public ConsumerLag(String bootstrapServers, String group, List<String> topics) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    this.group = group;
    this.topics = topics;
  }

  /** Records appended but not committed, over every partition of the topics. */
  public long records() throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .forEach(
            (topic, description) ->
                description
                    .partitions()
                    .forEach(
                        p ->
                            latest.put(
                                new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
    long lag = 0;
    for (var end : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
      OffsetAndMetadata offset = committed.get(end.getKey());
      lag += end.getValue().offset() - (offset == null ? 0 : offset.offset());
    }
    return lag;
  }

  /** The group's committed offset of every partition, as {@code topic-partition}. */
  public Map<String, Long> committed() throws Exception {
    Map<String, Long> offsets = new TreeMap<>();
    admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS)
        .forEach((partition, offset) -> offsets.put(partition.toString(), offset.offset()));
    return offsets;
  }

  @Override
  public void close() {
    admin.close();
  }
}
