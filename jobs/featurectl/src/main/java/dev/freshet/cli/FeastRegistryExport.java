package dev.freshet.cli;

import com.google.protobuf.Timestamp;
import dev.freshet.contract.Contract;
import dev.freshet.contract.Durations;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.ValueColumn;
import feast.proto.core.DataFormatProto;
import feast.proto.core.DataSourceProto;
import feast.proto.core.EntityProto;
import feast.proto.core.FeatureProto;
import feast.proto.core.FeatureViewProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The online-enabled contracts as a Feast file registry: one {@code feast.core.Registry} message
 * (feast-datatypes 0.38.0, {@code protos/feast/core/Registry.proto}) with, per contract, the
 * feature view Freshet's online sink writes and the feature server serves.
 *
 * <p>The mapping:
 *
 * <ul>
 *   <li>project {@code online.feast_project}, feature view {@code online.feature_view};
 *   <li>one entity per key field and project, named after the field and joined on it, shared by
 *       every contract with that key field; string keys are STRING, long keys INT64;
 *   <li>features: the contract's features, then its derived features, by name; long → INT64, double
 *       → DOUBLE, string_list → STRING_LIST; the key fields are the entity columns;
 *   <li>ttl {@code serving_max_age} (Feast's ttl is the max age of a served value); {@code
 *       online_ttl}, the Redis expiry the sink sets and not a Feast field, goes in the tags;
 *   <li>batch source: the contract's Delta table as a Feast file source in Delta format, with
 *       {@code feature_time} as its timestamp field (Python Feast refuses a view without one).
 * </ul>
 *
 * <p>Feast's Java server finds feature views and entities by name in the whole file, so two
 * contracts may not name the same feature view, and a key field must have one type everywhere.
 */
final class FeastRegistryExport {

  /** What Python Feast writes in {@code registry_schema_version} (feast/registry.py, 0.38). */
  static final String REGISTRY_SCHEMA_VERSION = "1";

  /** The Delta tables' event time column (see README, "Output: the offline tables"). */
  static final String TIMESTAMP_FIELD = "feature_time";

  /** Python Feast's class for BATCH_FILE sources (feast/data_source.py, _DATA_SOURCE_OPTIONS). */
  static final String FILE_SOURCE_CLASS = "feast.infra.offline_stores.file_source.FileSource";

  static final String TAG_CONTRACT = "freshet.contract";
  static final String TAG_CONTRACT_VERSION = "freshet.contract_version";
  static final String TAG_ONLINE_TTL = "freshet.online_ttl";
  static final String TAG_OFFLINE_TABLE = "freshet.offline_table";

  /** The contracts cannot be registered together; every reason is listed. */
  static final class ConflictException extends RuntimeException {
    private final List<String> problems;

    ConflictException(List<String> problems) {
      super(String.join("\n", problems));
      this.problems = List.copyOf(problems);
    }

    List<String> problems() {
      return problems;
    }
  }

  private FeastRegistryExport() {}

  /**
   * @param contracts loaded contracts; those without {@code online.enabled} are left out
   * @param deltaBasePath the folder holding the contracts' Delta tables, one per table name
   * @param lastUpdated the registry's and every object's creation and update time
   * @throws ConflictException when two contracts disagree on a key field's type or name the same
   *     feature view
   */
  static RegistryProto.Registry export(
      List<Contract> contracts, Path deltaBasePath, Instant lastUpdated) {
    List<Contract> online =
        contracts.stream()
            .filter(c -> c.online().enabled())
            .sorted(
                Comparator.comparing((Contract c) -> c.online().feastProject())
                    .thenComparing(c -> c.online().featureView()))
            .toList();
    List<String> problems = new ArrayList<>();
    checkKeyTypes(online, problems);
    checkFeatureViewNames(online, problems);
    if (!problems.isEmpty()) {
      throw new ConflictException(problems);
    }

    Timestamp now = timestamp(lastUpdated);
    RegistryProto.Registry.Builder registry = RegistryProto.Registry.newBuilder();
    // project → key field → contracts using it, for the entities' descriptions
    Map<String, Map<String, List<Contract>>> entities = new TreeMap<>();
    for (Contract contract : online) {
      for (EntityKey key : contract.entity().keys()) {
        entities
            .computeIfAbsent(contract.online().feastProject(), p -> new TreeMap<>())
            .computeIfAbsent(key.field(), f -> new ArrayList<>())
            .add(contract);
      }
      DataSourceProto.DataSource source = batchSource(contract, deltaBasePath);
      registry.addDataSources(source);
      registry.addFeatureViews(featureView(contract, source, now));
    }
    entities.forEach(
        (project, fields) -> {
          registry.addProjectMetadata(
              RegistryProto.ProjectMetadata.newBuilder()
                  .setProject(project)
                  .setProjectUuid(projectUuid(project)));
          fields.forEach(
              (field, users) -> registry.addEntities(entity(project, field, users, now)));
        });
    registry.setRegistrySchemaVersion(REGISTRY_SCHEMA_VERSION).setLastUpdated(now);
    // Python Feast draws a random version id on every update; one derived from the content keeps
    // the same contracts and time giving the same bytes.
    registry.setVersionId(UUID.nameUUIDFromBytes(registry.build().toByteArray()).toString());
    return registry.build();
  }

  /** A readable account of a registry, one line per object. */
  static List<String> summary(RegistryProto.Registry registry) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "Feast registry: %d project(s), %d entities, %d feature views",
            registry.getProjectMetadataCount(),
            registry.getEntitiesCount(),
            registry.getFeatureViewsCount()));
    for (RegistryProto.ProjectMetadata project : registry.getProjectMetadataList()) {
      lines.add("project " + project.getProject());
      for (EntityProto.Entity entity : registry.getEntitiesList()) {
        if (entity.getSpec().getProject().equals(project.getProject())) {
          lines.add(
              String.format(
                  "  entity %s (%s)", entity.getSpec().getName(), entity.getSpec().getValueType()));
        }
      }
      for (FeatureViewProto.FeatureView view : registry.getFeatureViewsList()) {
        FeatureViewProto.FeatureViewSpec spec = view.getSpec();
        if (!spec.getProject().equals(project.getProject())) {
          continue;
        }
        lines.add(
            String.format(
                "  feature view %s (contract %s, version %s, owner %s)",
                spec.getName(),
                spec.getTagsOrThrow(TAG_CONTRACT),
                spec.getTagsOrThrow(TAG_CONTRACT_VERSION),
                spec.getOwner()));
        lines.add("    entities      " + String.join(", ", spec.getEntitiesList()));
        lines.add("    features      " + features(spec.getFeaturesList()));
        lines.add(
            String.format(
                "    ttl           %s (serving_max_age); Redis expiry %s (online_ttl)",
                Durations.format(Duration.ofSeconds(spec.getTtl().getSeconds())),
                spec.getTagsOrThrow(TAG_ONLINE_TTL)));
        lines.add(
            String.format(
                "    batch source  %s (Delta, timestamp %s)",
                spec.getBatchSource().getFileOptions().getUri(),
                spec.getBatchSource().getTimestampField()));
      }
    }
    return lines;
  }

  private static void checkKeyTypes(List<Contract> online, List<String> problems) {
    Map<String, Contract> firstUser = new LinkedHashMap<>();
    Map<String, KeyType> typeOf = new LinkedHashMap<>();
    TreeSet<String> reported = new TreeSet<>();
    for (Contract contract : online) {
      for (EntityKey key : contract.entity().keys()) {
        KeyType known = typeOf.putIfAbsent(key.field(), key.type());
        firstUser.putIfAbsent(key.field(), contract);
        if (known != null && known != key.type() && reported.add(key.field())) {
          problems.add(
              String.format(
                  "key field %s is %s in contract %s (%s) but %s in contract %s (%s); Feast has"
                      + " one entity %s of one type: give both the same type or rename one key"
                      + " field",
                  key.field(),
                  known.yamlName(),
                  firstUser.get(key.field()).name(),
                  firstUser.get(key.field()).file(),
                  key.type().yamlName(),
                  contract.name(),
                  contract.file(),
                  key.field()));
        }
      }
    }
  }

  private static void checkFeatureViewNames(List<Contract> online, List<String> problems) {
    Map<String, Contract> byView = new LinkedHashMap<>();
    for (Contract contract : online) {
      Contract other = byView.putIfAbsent(contract.online().featureView(), contract);
      if (other != null) {
        problems.add(
            String.format(
                "feature view %s is named by contract %s (%s) and contract %s (%s); Feast's"
                    + " server finds feature views by name: give one another online.feature_view",
                contract.online().featureView(),
                other.name(),
                other.file(),
                contract.name(),
                contract.file()));
      }
    }
  }

  private static EntityProto.Entity entity(
      String project, String field, List<Contract> users, Timestamp now) {
    KeyType type =
        users.get(0).entity().keys().stream()
            .filter(k -> k.field().equals(field))
            .findFirst()
            .orElseThrow()
            .type();
    return EntityProto.Entity.newBuilder()
        .setSpec(
            EntityProto.EntitySpecV2.newBuilder()
                .setName(field)
                .setProject(project)
                .setValueType(valueType(type))
                .setJoinKey(field)
                .setDescription(
                    "Key field "
                        + field
                        + " of contracts "
                        + String.join(", ", users.stream().map(Contract::name).toList())))
        .setMeta(
            EntityProto.EntityMeta.newBuilder()
                .setCreatedTimestamp(now)
                .setLastUpdatedTimestamp(now))
        .build();
  }

  private static FeatureViewProto.FeatureView featureView(
      Contract contract, DataSourceProto.DataSource source, Timestamp now) {
    FeatureViewProto.FeatureViewSpec.Builder spec =
        FeatureViewProto.FeatureViewSpec.newBuilder()
            .setName(contract.online().featureView())
            .setProject(contract.online().feastProject())
            .addAllEntities(contract.entity().keyFields())
            .setDescription(contract.description())
            .setOwner(contract.owner())
            .setTtl(duration(contract.online().servingMaxAge()))
            .setBatchSource(source)
            .setOnline(true);
    for (ValueColumn value : contract.valueColumns()) {
      spec.addFeatures(featureSpec(value.name(), valueType(value.type())));
    }
    for (EntityKey key : contract.entity().keys()) {
      spec.addEntityColumns(featureSpec(key.field(), valueType(key.type())));
    }
    // Feast's tags are a string map; a contract's tags are names, kept as keys without values.
    for (String tag : contract.tags()) {
      spec.putTags(tag, "");
    }
    spec.putTags(TAG_CONTRACT, contract.name())
        .putTags(TAG_CONTRACT_VERSION, String.valueOf(contract.version()))
        .putTags(TAG_ONLINE_TTL, Durations.format(contract.online().onlineTtl()))
        .putTags(TAG_OFFLINE_TABLE, contract.tableName());
    return FeatureViewProto.FeatureView.newBuilder()
        .setSpec(spec)
        .setMeta(
            FeatureViewProto.FeatureViewMeta.newBuilder()
                .setCreatedTimestamp(now)
                .setLastUpdatedTimestamp(now))
        .build();
  }

  private static DataSourceProto.DataSource batchSource(Contract contract, Path deltaBasePath) {
    return DataSourceProto.DataSource.newBuilder()
        .setName(contract.online().featureView() + "_delta")
        .setProject(contract.online().feastProject())
        .setDescription("Delta table " + contract.tableName() + " of contract " + contract.name())
        .setOwner(contract.owner())
        .setType(DataSourceProto.DataSource.SourceType.BATCH_FILE)
        .setTimestampField(TIMESTAMP_FIELD)
        .setDataSourceClassType(FILE_SOURCE_CLASS)
        .setFileOptions(
            DataSourceProto.DataSource.FileOptions.newBuilder()
                .setFileFormat(
                    DataFormatProto.FileFormat.newBuilder()
                        .setDeltaFormat(
                            DataFormatProto.FileFormat.DeltaFormat.getDefaultInstance()))
                .setUri(
                    deltaBasePath
                        .resolve(contract.tableName())
                        .toAbsolutePath()
                        .normalize()
                        .toString()))
        .build();
  }

  private static FeatureProto.FeatureSpecV2 featureSpec(String name, ValueType.Enum type) {
    return FeatureProto.FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  static ValueType.Enum valueType(KeyType type) {
    return switch (type) {
      case STRING -> ValueType.Enum.STRING;
      case LONG -> ValueType.Enum.INT64;
    };
  }

  static ValueType.Enum valueType(FeatureType type) {
    return switch (type) {
      case LONG -> ValueType.Enum.INT64;
      case DOUBLE -> ValueType.Enum.DOUBLE;
      case STRING_LIST -> ValueType.Enum.STRING_LIST;
    };
  }

  /** Stable across runs, so a project keeps its id; Python Feast draws a random one once. */
  static String projectUuid(String project) {
    return UUID.nameUUIDFromBytes(("freshet:" + project).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static com.google.protobuf.Duration duration(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static String features(List<FeatureProto.FeatureSpecV2> features) {
    return String.join(
        ", ", features.stream().map(f -> f.getName() + " " + f.getValueType()).toList());
  }
}
