package dev.freshet.serving;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.freshet.online.FeastRedisLayout;
import feast.proto.core.EntityProto;
import feast.proto.core.FeatureProto;
import feast.proto.core.FeatureReferenceProto;
import feast.proto.core.FeatureServiceProto;
import feast.proto.core.FeatureViewProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.Value.ValCase;
import feast.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server needs from a Feast file registry, looked up by name: per feature view its join
 * keys, max age and features, with the Redis hash fields of each feature computed once, here.
 *
 * <p>Like Feast's Java server ({@code java/serving/src/main/java/feast/serving/registry/
 * Registry.java} at v0.38.0), feature views, entities and feature services are indexed by name
 * only, whatever their project: names must be unique in the file. The project whose Redis keys are
 * read comes from the server's configuration.
 */
public final class ServingRegistry {

  /**
   * The join key Python Feast gives feature views without entities, and the value it stores for it
   * (Feast's {@code OnlineServingServiceV2.DUMMY_ENTITY_ID} and {@code DUMMY_ENTITY_VAL}).
   */
  static final String DUMMY_ENTITY_ID = "__dummy_id";

  /**
   * The {@code Value} case a stored value must have for each registered type; any other case is
   * served as NOT_FOUND. Copied from Feast's {@code feast/serving/connectors/Feature.java}
   * (TYPE_TO_VAL_CASE): types missing here (UNIX_TIMESTAMP, ...) never match.
   */
  private static final Map<ValueType.Enum, ValCase> VAL_CASE_OF_TYPE =
      new EnumMap<>(ValueType.Enum.class);

  static {
    VAL_CASE_OF_TYPE.put(ValueType.Enum.BYTES, ValCase.BYTES_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.STRING, ValCase.STRING_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.INT32, ValCase.INT32_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.INT64, ValCase.INT64_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.DOUBLE, ValCase.DOUBLE_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.FLOAT, ValCase.FLOAT_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.BOOL, ValCase.BOOL_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.BYTES_LIST, ValCase.BYTES_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.STRING_LIST, ValCase.STRING_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.INT32_LIST, ValCase.INT32_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.INT64_LIST, ValCase.INT64_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.DOUBLE_LIST, ValCase.DOUBLE_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.FLOAT_LIST, ValCase.FLOAT_LIST_VAL);
    VAL_CASE_OF_TYPE.put(ValueType.Enum.BOOL_LIST, ValCase.BOOL_LIST_VAL);
  }

  /**
   * One feature view, resolved for serving. Compared by identity: the registry holds one per name.
   */
  static final class View {
    private final String name;
    private final List<String> joinKeys;
    private final boolean hasMaxAge;
    private final long maxAgeSeconds;
    private final byte[] timestampField;
    private final Map<String, Feature> features = new HashMap<>();

    private View(String name, List<String> joinKeys, Duration ttl) {
      this.name = name;
      this.joinKeys = List.copyOf(joinKeys);
      // Feast checks max age only when the ttl is set (OnlineServingServiceV2.checkOutsideMaxAge)
      this.hasMaxAge = !ttl.equals(Duration.getDefaultInstance());
      this.maxAgeSeconds = ttl.getSeconds();
      this.timestampField = FeastRedisLayout.timestampField(name);
    }

    String name() {
      return name;
    }

    /** The join keys of the view's entities, sorted by name. */
    List<String> joinKeys() {
      return joinKeys;
    }

    /** Feature views with equal join keys share their entities' Redis hashes. */
    String joinKeyGroup() {
      return String.join(",", joinKeys);
    }

    /** Whether {@code now - event time > ttl}, in whole seconds, as Feast compares them. */
    boolean outsideMaxAge(long nowSeconds, long eventSeconds) {
      return hasMaxAge && nowSeconds - eventSeconds > maxAgeSeconds;
    }

    byte[] timestampField() {
      return timestampField;
    }
  }

  /**
   * One feature of a view.
   *
   * @param reference {@code feature_view:feature}, as the response names it
   * @param valCase the {@code Value} case the registered type requires; null when none matches
   * @param field the feature's Redis hash field
   */
  record Feature(View view, String name, String reference, ValCase valCase, byte[] field) {}

  private final Map<String, View> views;
  private final Map<String, List<String>> featureServices;

  private ServingRegistry(Map<String, View> views, Map<String, List<String>> featureServices) {
    this.views = views;
    this.featureServices = featureServices;
  }

  /** Reads a file registry: one serialized {@code feast.core.Registry}. */
  static ServingRegistry read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return of(RegistryProto.Registry.parseFrom(in));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "Registry " + file + " is not a serialized feast.core.Registry: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the registry " + file, e);
    }
  }

  /** A registry in memory; public for the benchmark harness, which calls the service directly. */
  public static ServingRegistry of(RegistryProto.Registry registry) {
    Map<String, String> joinKeyOfEntity = new HashMap<>();
    for (EntityProto.Entity entity : registry.getEntitiesList()) {
      EntityProto.EntitySpecV2 spec = entity.getSpec();
      String previous = joinKeyOfEntity.putIfAbsent(spec.getName(), spec.getJoinKey());
      // Feast's Java server refuses any repeated entity name; one entity per project with the
      // same join key is harmless, so only a contradiction is refused here.
      if (previous != null && !previous.equals(spec.getJoinKey())) {
        throw new IllegalArgumentException(
            "Registry has two entities named "
                + spec.getName()
                + " with different join keys: "
                + previous
                + " and "
                + spec.getJoinKey());
      }
    }
    Map<String, View> views = new HashMap<>();
    for (FeatureViewProto.FeatureView featureView : registry.getFeatureViewsList()) {
      View view = view(featureView.getSpec(), joinKeyOfEntity);
      if (views.putIfAbsent(view.name(), view) != null) {
        throw new IllegalArgumentException(
            "Registry has two feature views named "
                + view.name()
                + "; names must be unique in the file, whatever their project");
      }
    }
    Map<String, List<String>> featureServices = new HashMap<>();
    for (FeatureServiceProto.FeatureService service : registry.getFeatureServicesList()) {
      List<String> references = new ArrayList<>();
      for (FeatureReferenceProto.FeatureViewProjection projection :
          service.getSpec().getFeaturesList()) {
        for (FeatureProto.FeatureSpecV2 column : projection.getFeatureColumnsList()) {
          references.add(projection.getFeatureViewName() + ":" + column.getName());
        }
      }
      featureServices.put(service.getSpec().getName(), List.copyOf(references));
    }
    return new ServingRegistry(Map.copyOf(views), Map.copyOf(featureServices));
  }

  private static View view(
      FeatureViewProto.FeatureViewSpec spec, Map<String, String> joinKeyOfEntity) {
    List<String> joinKeys = new ArrayList<>();
    for (String entity : spec.getEntitiesList()) {
      String joinKey = joinKeyOfEntity.get(entity);
      if (joinKey == null) {
        throw new IllegalArgumentException(
            "Feature view " + spec.getName() + " names entity " + entity + ", which is not in it");
      }
      joinKeys.add(joinKey);
    }
    joinKeys.sort(String::compareTo);
    View view = new View(spec.getName(), joinKeys, spec.getTtl());
    for (FeatureProto.FeatureSpecV2 feature : spec.getFeaturesList()) {
      view.features.put(
          feature.getName(),
          new Feature(
              view,
              feature.getName(),
              spec.getName() + ":" + feature.getName(),
              VAL_CASE_OF_TYPE.get(feature.getValueType()),
              FeastRedisLayout.featureField(spec.getName(), feature.getName())));
    }
    return view;
  }

  /**
   * The feature a reference {@code feature_view:feature} names. The messages are Feast's ({@code
   * Registry.getFeatureViewSpec} and {@code getFeatureSpec}).
   */
  Feature feature(String reference) {
    int colon = reference.indexOf(':');
    if (colon < 0) {
      throw new FeatureRequestException(
          "Feature reference '" + reference + "' is not of the form feature_view:feature");
    }
    String viewName = reference.substring(0, colon);
    String featureName = reference.substring(colon + 1);
    View view = views.get(viewName);
    if (view == null) {
      throw new FeatureRequestException("Unable to find feature view with name: " + viewName);
    }
    Feature feature = view.features.get(featureName);
    if (feature == null) {
      throw new FeatureRequestException(
          "Unable to find feature with name: " + featureName + " in feature view: " + viewName);
    }
    return feature;
  }

  /** The references of a feature service's features, in its order. */
  List<String> featureService(String name) {
    List<String> references = featureServices.get(name);
    if (references == null) {
      throw new FeatureRequestException("Unable to find feature service with name: " + name);
    }
    return references;
  }

  int featureViewCount() {
    return views.size();
  }
}
