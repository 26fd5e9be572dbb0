package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import feast.proto.core.DataFormatProto;
import feast.proto.core.DataSourceProto;
import feast.proto.core.EntityProto;
import feast.proto.core.FeatureProto;
import feast.proto.core.FeatureViewProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeastRegistryExportTest {

  static final String USER_LISTENING =
      """
      name: user_listening
      version: 1
      owner: recommendations
      description: How much a user has been listening lately.
      tags: [recommendations, listening]
      source: { stream: behaviour }
      entity: { name: user, keys: [{ field: user_id, type: string }] }
      features:
        - name: plays_1m
          type: long
          aggregation: count
          filter: action == 'play'
          window: { type: sliding, size: 1m, hop: 10s }
        - name: avg_played_ms_10m
          type: double
          aggregation: avg
          input: played_ms
          window: { type: sliding, size: 10m, hop: 1m }
        - name: top_artists_1h
          type: string_list
          aggregation: top_k
          k: 3
          input: artist_id
          window: { type: sliding, size: 1h, hop: 1m }
      derived:
        - name: busy
          type: long
          expression: "plays_1m >= 3 ? 1 : 0"
      state_ttl: 2h
      freshness_sla: 5s
      offline: { table: user_listening }
      online: { enabled: true }
      online_ttl: 1d
      serving_max_age: 1h
      """;

  static final String DEVICE_WRITES =
      """
      name: device_writes
      version: 2
      owner: storage
      description: Bytes written per device.
      source: { stream: file }
      entity:
        name: filesystem
        keys:
          - { field: host, type: string }
          - { field: device, type: long }
      features:
        - name: bytes_1m
          type: long
          aggregation: sum
          input: size
          window: { type: tumbling, size: 1m }
      state_ttl: 10m
      freshness_sla: 5s
      offline: { table: device_volume }
      online: { enabled: true, feast_project: storage, feature_view: device_writes_fv }
      online_ttl: 2h
      serving_max_age: 90s
      """;

  static final String HOST_ACTIVITY =
      """
      name: host_activity
      version: 1
      owner: storage
      description: Changes per host.
      source: { stream: file }
      entity: { name: host, keys: [{ field: host, type: string }] }
      features:
        - name: changes_1m
          type: long
          aggregation: count
          window: { type: tumbling, size: 1m }
      state_ttl: 10m
      freshness_sla: 5s
      offline: { table: host_activity }
      online: { enabled: true, feast_project: storage }
      online_ttl: 1h
      serving_max_age: 1h
      """;

  /** Listener actions per device kind: {@code device} is a string in behaviour events. */
  static final String DEVICE_ACTIONS =
      """
      name: device_actions
      version: 1
      owner: recommendations
      description: Actions per device kind.
      source: { stream: behaviour }
      entity: { name: device_kind, keys: [{ field: device, type: string }] }
      features:
        - name: actions_1m
          type: long
          aggregation: count
          window: { type: tumbling, size: 1m }
      state_ttl: 10m
      freshness_sla: 5s
      offline: { table: device_actions }
      online: { enabled: true }
      online_ttl: 1h
      serving_max_age: 1h
      """;

  static final String OFFLINE_ONLY =
      """
      name: offline_only
      version: 1
      owner: storage
      description: Not served online.
      source: { stream: file }
      entity: { name: host, keys: [{ field: host, type: string }] }
      features:
        - name: changes_1m
          type: long
          aggregation: count
          window: { type: tumbling, size: 1m }
      state_ttl: 10m
      freshness_sla: 5s
      offline: { table: offline_only }
      """;

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00.250Z");
  private static final Timestamp NOW_PROTO =
      Timestamp.newBuilder().setSeconds(NOW.getEpochSecond()).setNanos(250_000_000).build();

  @TempDir Path dir;

  @Test
  void everyFieldOfTheRegistrySurvivesItsBytes() throws IOException {
    List<Contract> contracts =
        load(
            Map.of(
                "user_listening", USER_LISTENING,
                "device_writes", DEVICE_WRITES,
                "host_activity", HOST_ACTIVITY,
                "offline_only", OFFLINE_ONLY));
    Path delta = dir.resolve("data/../data/delta");

    RegistryProto.Registry registry =
        RegistryProto.Registry.parseFrom(
            FeastRegistryExport.export(contracts, delta, NOW).toByteArray());

    assertThat(registry.getRegistrySchemaVersion()).isEqualTo("1");
    assertThat(registry.getLastUpdated()).isEqualTo(NOW_PROTO);
    assertThat(UUID.fromString(registry.getVersionId())).isNotNull();
    assertThat(registry.getProjectMetadataList())
        .extracting(RegistryProto.ProjectMetadata::getProject)
        .containsExactly("freshet", "storage");
    assertThat(registry.getProjectMetadata(0).getProjectUuid())
        .isEqualTo(FeastRegistryExport.projectUuid("freshet"))
        .isNotEqualTo(FeastRegistryExport.projectUuid("storage"));

    // one entity per key field and project: host is shared by both storage contracts
    assertThat(registry.getEntitiesList()).hasSize(3);
    assertThat(registry.getEntities(0))
        .isEqualTo(
            entity(
                "freshet",
                "user_id",
                ValueType.Enum.STRING,
                "Key field user_id of contracts user_listening"));
    assertThat(registry.getEntities(1))
        .isEqualTo(
            entity(
                "storage",
                "device",
                ValueType.Enum.INT64,
                "Key field device of contracts device_writes"));
    assertThat(registry.getEntities(2))
        .isEqualTo(
            entity(
                "storage",
                "host",
                ValueType.Enum.STRING,
                "Key field host of contracts device_writes, host_activity"));

    assertThat(registry.getFeatureViewsList())
        .extracting(v -> v.getSpec().getName())
        .containsExactly("user_listening", "device_writes_fv", "host_activity");
    FeatureViewProto.FeatureView listening = registry.getFeatureViews(0);
    DataSourceProto.DataSource listeningSource =
        DataSourceProto.DataSource.newBuilder()
            .setName("user_listening_delta")
            .setProject("freshet")
            .setDescription("Delta table user_listening of contract user_listening")
            .setOwner("recommendations")
            .setType(DataSourceProto.DataSource.SourceType.BATCH_FILE)
            .setTimestampField("feature_time")
            .setDataSourceClassType("feast.infra.offline_stores.file_source.FileSource")
            .setFileOptions(
                DataSourceProto.DataSource.FileOptions.newBuilder()
                    .setFileFormat(
                        DataFormatProto.FileFormat.newBuilder()
                            .setDeltaFormat(DataFormatProto.FileFormat.DeltaFormat.newBuilder()))
                    .setUri(dir.resolve("data/delta/user_listening").toString()))
            .build();
    assertThat(listening)
        .isEqualTo(
            FeatureViewProto.FeatureView.newBuilder()
                .setSpec(
                    FeatureViewProto.FeatureViewSpec.newBuilder()
                        .setName("user_listening")
                        .setProject("freshet")
                        .addEntities("user_id")
                        .addFeatures(feature("plays_1m", ValueType.Enum.INT64))
                        .addFeatures(feature("avg_played_ms_10m", ValueType.Enum.DOUBLE))
                        .addFeatures(feature("top_artists_1h", ValueType.Enum.STRING_LIST))
                        .addFeatures(feature("busy", ValueType.Enum.INT64))
                        .addEntityColumns(feature("user_id", ValueType.Enum.STRING))
                        .setDescription("How much a user has been listening lately.")
                        .putTags("recommendations", "")
                        .putTags("listening", "")
                        .putTags("freshet.contract", "user_listening")
                        .putTags("freshet.contract_version", "1")
                        .putTags("freshet.online_ttl", "1d")
                        .putTags("freshet.offline_table", "user_listening")
                        .setOwner("recommendations")
                        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3600))
                        .setBatchSource(listeningSource)
                        .setOnline(true))
                .setMeta(
                    FeatureViewProto.FeatureViewMeta.newBuilder()
                        .setCreatedTimestamp(NOW_PROTO)
                        .setLastUpdatedTimestamp(NOW_PROTO))
                .build());

    FeatureViewProto.FeatureViewSpec devices = registry.getFeatureViews(1).getSpec();
    assertThat(devices.getProject()).isEqualTo("storage");
    assertThat(devices.getEntitiesList()).containsExactly("host", "device");
    assertThat(devices.getEntityColumnsList())
        .containsExactly(
            feature("host", ValueType.Enum.STRING), feature("device", ValueType.Enum.INT64));
    assertThat(devices.getTtl().getSeconds()).isEqualTo(90);
    // version 2 writes the table device_volume_v2
    assertThat(devices.getTagsMap())
        .containsEntry("freshet.contract_version", "2")
        .containsEntry("freshet.offline_table", "device_volume_v2")
        .containsEntry("freshet.online_ttl", "2h");
    assertThat(devices.getBatchSource().getFileOptions().getUri())
        .isEqualTo(dir.resolve("data/delta/device_volume_v2").toString());

    // Python Feast's apply registers each batch source as a data source too
    assertThat(registry.getDataSourcesList())
        .containsExactly(
            listeningSource,
            devices.getBatchSource(),
            registry.getFeatureViews(2).getSpec().getBatchSource());
  }

  @Test
  void sameContractsAndTimeGiveTheSameBytes() {
    List<Contract> contracts = load(Map.of("user_listening", USER_LISTENING));

    assertThat(FeastRegistryExport.export(contracts, dir, NOW).toByteArray())
        .isEqualTo(FeastRegistryExport.export(contracts, dir, NOW).toByteArray());
  }

  @Test
  void keyFieldWithTwoTypesIsRefusedNamingBothContracts() {
    List<Contract> contracts =
        load(Map.of("device_writes", DEVICE_WRITES, "device_actions", DEVICE_ACTIONS));

    assertThatThrownBy(() -> FeastRegistryExport.export(contracts, dir, NOW))
        .isInstanceOfSatisfying(
            FeastRegistryExport.ConflictException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "key field device is string in contract device_actions ("
                            + dir.resolve("device_actions.yaml")
                            + ") but long in contract device_writes ("
                            + dir.resolve("device_writes.yaml")
                            + "); Feast has one entity device of one type: give both the same"
                            + " type or rename one key field"));
  }

  @Test
  void featureViewNamedByTwoContractsIsRefused() {
    List<Contract> contracts =
        load(
            Map.of(
                "host_activity",
                HOST_ACTIVITY,
                "host_activity_copy",
                HOST_ACTIVITY
                    .replace("name: host_activity", "name: host_activity_copy")
                    .replace("table: host_activity", "table: host_activity_copy")
                    .replace("feast_project: storage", "feature_view: host_activity")));

    assertThatThrownBy(() -> FeastRegistryExport.export(contracts, dir, NOW))
        .isInstanceOfSatisfying(
            FeastRegistryExport.ConflictException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "feature view host_activity is named by contract host_activity_copy ("
                            + dir.resolve("host_activity_copy.yaml")
                            + ") and contract host_activity ("
                            + dir.resolve("host_activity.yaml")
                            + "); Feast's server finds feature views by name: give one another"
                            + " online.feature_view"));
  }

  @Test
  void summaryListsWhatIsRegistered() {
    RegistryProto.Registry registry =
        FeastRegistryExport.export(
            load(Map.of("device_writes", DEVICE_WRITES)), Path.of("/data/delta"), NOW);

    assertThat(FeastRegistryExport.summary(registry))
        .containsExactly(
            "Feast registry: 1 project(s), 2 entities, 1 feature views",
            "project storage",
            "  entity device (INT64)",
            "  entity host (STRING)",
            "  feature view device_writes_fv (contract device_writes, version 2, owner storage)",
            "    entities      host, device",
            "    features      bytes_1m INT64",
            "    ttl           90s (serving_max_age); Redis expiry 2h (online_ttl)",
            "    batch source  /data/delta/device_volume_v2 (Delta, timestamp feature_time)");
  }

  private List<Contract> load(Map<String, String> contracts) {
    try {
      for (Map.Entry<String, String> contract : contracts.entrySet()) {
        Files.writeString(dir.resolve(contract.getKey() + ".yaml"), contract.getValue());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new ContractLoader().loadDirectory(dir);
  }

  private static EntityProto.Entity entity(
      String project, String field, ValueType.Enum type, String description) {
    return EntityProto.Entity.newBuilder()
        .setSpec(
            EntityProto.EntitySpecV2.newBuilder()
                .setName(field)
                .setProject(project)
                .setValueType(type)
                .setJoinKey(field)
                .setDescription(description))
        .setMeta(
            EntityProto.EntityMeta.newBuilder()
                .setCreatedTimestamp(NOW_PROTO)
                .setLastUpdatedTimestamp(NOW_PROTO))
        .build();
  }

  private static FeatureProto.FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureProto.FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }
}
