package dev.freshet.bench.serving;

import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.FeatureViewEncoder;
import dev.freshet.online.OnlineRow;
import feast.proto.core.EntityProto;
import feast.proto.core.FeatureProto;
import feast.proto.core.FeatureViewProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.ValueType;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The feature view the serving latency is measured on: one string entity key and {@value
 * #FEATURE_COUNT} features, INT64 and DOUBLE in turn, registered as Python Feast would register
 * them and written to Redis in Feast's layout, as the online sink writes them.
 */
final class ServedFeatureView {

  static final String PROJECT = "benchmark";
  static final String VIEW = "bench_features";
  static final String KEY = "entity_id";
  static final int FEATURE_COUNT = 20;

  /** Long enough that no value is served as OUTSIDE_MAX_AGE during a run. */
  private static final Duration TTL = Duration.ofHours(1);

  static final List<String> FEATURES =
      IntStream.range(0, FEATURE_COUNT).mapToObj(i -> "f" + i).toList();

  /** What a request names: {@code feature_view:feature} of every feature. */
  static final List<String> REFERENCES = FEATURES.stream().map(f -> VIEW + ":" + f).toList();

  private ServedFeatureView() {}

  /** The entity key value of entity number {@code entity}. */
  static String id(int entity) {
    return "entity-" + entity;
  }

  /** A Feast file registry holding the entity and the view. */
  static RegistryProto.Registry registry() {
    FeatureViewProto.FeatureViewSpec.Builder view =
        FeatureViewProto.FeatureViewSpec.newBuilder()
            .setName(VIEW)
            .setProject(PROJECT)
            .addEntities(KEY)
            .setOnline(true)
            .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(TTL.toSeconds()));
    for (int i = 0; i < FEATURE_COUNT; i++) {
      view.addFeatures(
          FeatureProto.FeatureSpecV2.newBuilder()
              .setName(FEATURES.get(i))
              .setValueType(isLong(i) ? ValueType.Enum.INT64 : ValueType.Enum.DOUBLE));
    }
    return RegistryProto.Registry.newBuilder()
        .addEntities(
            EntityProto.Entity.newBuilder()
                .setSpec(
                    EntityProto.EntitySpecV2.newBuilder()
                        .setName(KEY)
                        .setJoinKey(KEY)
                        .setProject(PROJECT)
                        .setValueType(ValueType.Enum.STRING)))
        .addFeatureViews(FeatureViewProto.FeatureView.newBuilder().setSpec(view))
        .build();
  }

  /** Writes every entity's hash as the online sink does, pipelined; returns the Redis keys. */
  static byte[][] write(StatefulRedisConnection<byte[], byte[]> redis, int entities) {
    FeatureViewEncoder encoder =
        new FeatureViewEncoder(PROJECT, VIEW, List.of(KEY), FEATURES, null);
    long eventTime = Instant.now().toEpochMilli();
    byte[][] keys = new byte[entities][];
    List<RedisFuture<Long>> writes = new ArrayList<>(entities);
    for (int entity = 0; entity < entities; entity++) {
      Object[] values = new Object[FEATURE_COUNT];
      for (int i = 0; i < values.length; i++) {
        values[i] = isLong(i) ? (Object) (long) (entity + i) : (Object) (entity * 0.5 + i);
      }
      OnlineRow row = encoder.encode(List.of(id(entity)), eventTime, values);
      Map<byte[], byte[]> fields = new LinkedHashMap<>();
      for (int i = 0; i < row.fields.length; i++) {
        fields.put(row.fields[i], row.values[i]);
      }
      fields.put(FeastRedisLayout.timestampField(VIEW), FeastRedisLayout.timestamp(eventTime));
      keys[entity] = row.key;
      writes.add(redis.async().hset(row.key, fields));
    }
    if (!LettuceFutures.awaitAll(Duration.ofMinutes(1), writes.toArray(new RedisFuture<?>[0]))) {
      throw new IllegalStateException("Redis did not take " + entities + " writes in a minute");
    }
    return keys;
  }

  private static boolean isLong(int feature) {
    return feature % 2 == 0;
  }
}
