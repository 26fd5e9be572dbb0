package dev.freshet.serving;

import com.google.protobuf.Duration;
import feast.proto.core.EntityProto;
import feast.proto.core.FeatureProto;
import feast.proto.core.FeatureViewProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.ValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-built Feast registries: entities and feature views, as Python Feast would register them. */
final class TestRegistry {

  private final String project;
  private final RegistryProto.Registry.Builder registry = RegistryProto.Registry.newBuilder();

  TestRegistry(String project) {
    this.project = project;
  }

  /** An entity named after its join key, as Freshet registers them. */
  TestRegistry entity(String joinKey, ValueType.Enum type) {
    registry.addEntities(
        EntityProto.Entity.newBuilder()
            .setSpec(
                EntityProto.EntitySpecV2.newBuilder()
                    .setName(joinKey)
                    .setJoinKey(joinKey)
                    .setProject(project)
                    .setValueType(type)));
    return this;
  }

  /**
   * @param features feature name → type, in order
   * @param ttlSeconds the view's max age; 0 for none
   */
  TestRegistry view(
      String name, List<String> entities, Map<String, ValueType.Enum> features, long ttlSeconds) {
    FeatureViewProto.FeatureViewSpec.Builder spec =
        FeatureViewProto.FeatureViewSpec.newBuilder()
            .setName(name)
            .setProject(project)
            .addAllEntities(entities)
            .setOnline(true)
            .setTtl(Duration.newBuilder().setSeconds(ttlSeconds));
    features.forEach(
        (feature, type) ->
            spec.addFeatures(
                FeatureProto.FeatureSpecV2.newBuilder().setName(feature).setValueType(type)));
    registry.addFeatureViews(FeatureViewProto.FeatureView.newBuilder().setSpec(spec));
    return this;
  }

  RegistryProto.Registry build() {
    return registry.build();
  }

  /** Feature name → type, in the order given: {@code types("a", INT64, "b", DOUBLE)}. */
  static Map<String, ValueType.Enum> types(Object... nameTypePairs) {
    Map<String, ValueType.Enum> types = new LinkedHashMap<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      types.put((String) nameTypePairs[i], (ValueType.Enum) nameTypePairs[i + 1]);
    }
    return types;
  }
}
