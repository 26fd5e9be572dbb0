package dev.freshet.cli;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.ValueColumn;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.serving.FeatureServer;
import feast.proto.core.RegistryProto;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.types.ValueProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The online half of the local platform: a Redis (a {@code redis-server} process of our own, or one
 * the user names), the contracts exported as a Feast registry, and the feature server on top; plus
 * one sample lookup through Feast's own Java client, as a model would make it.
 */
final class LocalOnlinePath implements AutoCloseable {

  private final RedisServerProcess redisProcess;
  private final String redisUri;
  private final Path registryFile;
  private final FeatureServer server;
  private final FeastClient client;

  private LocalOnlinePath(
      RedisServerProcess redisProcess,
      String redisUri,
      Path registryFile,
      FeatureServer server,
      FeastClient client) {
    this.redisProcess = redisProcess;
    this.redisUri = redisUri;
    this.registryFile = registryFile;
    this.server = server;
    this.client = client;
  }

  /**
   * Starts the path for {@code contracts}.
   *
   * @param redisUri an existing Redis to use, or null to start a {@code redis-server} process under
   *     {@code data/redis}
   */
  static LocalOnlinePath start(
      List<Contract> contracts, Path data, String redisUri, String project, int servingPort)
      throws IOException {
    RedisServerProcess redisProcess =
        redisUri == null ? RedisServerProcess.start(data.resolve("redis")) : null;
    try {
      String uri = redisProcess == null ? redisUri : redisProcess.uri();
      RegistryProto.Registry registry =
          FeastRegistryExport.export(contracts, data.resolve("delta"), Instant.now());
      Path registryFile = data.resolve("registry.pb");
      Files.write(registryFile, registry.toByteArray());
      FeatureServer server =
          FeatureServer.builder()
              .registry(registry)
              .redisUri(uri)
              .project(project)
              .port(servingPort)
              .build()
              .start();
      return new LocalOnlinePath(
          redisProcess,
          uri,
          registryFile,
          server,
          FeastClient.create(FeatureServer.DEFAULT_BIND_ADDRESS, server.port()));
    } catch (IOException | RuntimeException e) {
      if (redisProcess != null) {
        redisProcess.close();
      }
      throw e;
    }
  }

  String redisUri() {
    return redisUri;
  }

  Path registryFile() {
    return registryFile;
  }

  int servingPort() {
    return server.port();
  }

  /**
   * Looks {@code lookup}'s entity up in its feature view through the Feast client and describes the
   * answer on one line per feature view: each feature's value and status, and how old the values
   * are.
   */
  String sample(SampleLookup lookup) {
    long started = System.nanoTime();
    List<Row> rows = client.getOnlineFeatures(lookup.featureRefs(), List.of(lookup.row()));
    double tookMillis = (System.nanoTime() - started) / 1e6;
    Row row = rows.get(0);
    List<String> parts = new ArrayList<>();
    for (String ref : lookup.featureRefs()) {
      FieldStatus status = row.getStatus(ref);
      String feature = ref.substring(ref.indexOf(':') + 1);
      parts.add(
          status == FieldStatus.PRESENT
              ? feature + "=" + describe(row.getFields().get(ref))
              : feature + " " + status);
    }
    String age =
        row.getEntityTimestamp() == null || row.getEntityTimestamp().getSeconds() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", values of %s (%d s ago)",
                Instant.ofEpochSecond(row.getEntityTimestamp().getSeconds()),
                Duration.between(
                        Instant.ofEpochSecond(row.getEntityTimestamp().getSeconds()), Instant.now())
                    .toSeconds());
    return String.format(
        Locale.ROOT,
        "online: %s for %s through FeastClient in %.1f ms%s%n  %s",
        lookup.featureView(),
        lookup.entityDescription(),
        tookMillis,
        age,
        String.join(", ", parts));
  }

  private static String describe(ValueProto.Value value) {
    return switch (value.getValCase()) {
      case INT64_VAL -> Long.toString(value.getInt64Val());
      case DOUBLE_VAL -> String.format(Locale.ROOT, "%.3f", value.getDoubleVal());
      case STRING_LIST_VAL -> value.getStringListVal().getValList().toString();
      default -> value.toString().trim();
    };
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
    } finally {
      try {
        server.close();
      } finally {
        if (redisProcess != null) {
          redisProcess.close();
        }
      }
    }
  }

  /**
   * One lookup: a feature view, all of its features, and one entity, e.g. {@code
   * user_listening:user_id=user-0}.
   */
  record SampleLookup(String featureView, Map<String, Object> entity, List<String> features) {

    /**
     * Parses {@code <feature view>:<join key>=<value>[,<join key>=<value>...]} against the
     * contracts: the feature view must be served online, every join key given, and a long key's
     * value a number. Returns null with the reason in {@code problems} otherwise.
     */
    static SampleLookup parse(String spec, List<Contract> contracts, List<String> problems) {
      int colon = spec.indexOf(':');
      if (colon <= 0) {
        problems.add("--sample-lookup '" + spec + "': expected VIEW:KEY=VALUE[,KEY=VALUE]");
        return null;
      }
      String view = spec.substring(0, colon);
      Contract contract =
          contracts.stream()
              .filter(c -> c.online().enabled() && c.online().featureView().equals(view))
              .findFirst()
              .orElse(null);
      if (contract == null) {
        problems.add("--sample-lookup: no contract serves feature view '" + view + "' online");
        return null;
      }
      Map<String, Object> entity = new LinkedHashMap<>();
      for (String pair : spec.substring(colon + 1).split(",")) {
        String[] keyValue = pair.split("=", 2);
        Optional<EntityKey> key =
            contract.entity().keys().stream()
                .filter(k -> keyValue.length == 2 && k.field().equals(keyValue[0]))
                .findFirst();
        if (key.isEmpty()) {
          problems.add(
              "--sample-lookup: '" + pair + "' is not KEY=VALUE for a join key of " + view);
          return null;
        }
        try {
          entity.put(
              keyValue[0],
              key.get().type() == KeyType.LONG
                  ? (Object) Long.parseLong(keyValue[1])
                  : keyValue[1]);
        } catch (NumberFormatException e) {
          problems.add("--sample-lookup: " + keyValue[0] + " is a long key, got " + keyValue[1]);
          return null;
        }
      }
      if (entity.size() != contract.entity().keys().size()) {
        problems.add(
            "--sample-lookup: "
                + view
                + " needs every join key: "
                + contract.entity().keys().stream().map(EntityKey::field).toList());
        return null;
      }
      return new SampleLookup(
          view, entity, contract.valueColumns().stream().map(ValueColumn::name).toList());
    }

    /** The Feast project of the feature view, which the feature server is configured with. */
    String project(List<Contract> contracts) {
      return contracts.stream()
          .filter(c -> c.online().enabled() && c.online().featureView().equals(featureView))
          .findFirst()
          .orElseThrow()
          .online()
          .feastProject();
    }

    List<String> featureRefs() {
      return features.stream().map(feature -> featureView + ":" + feature).toList();
    }

    Row row() {
      Row row = Row.create();
      entity.forEach(row::set);
      return row;
    }

    String entityDescription() {
      List<String> pairs = new ArrayList<>();
      entity.forEach((key, value) -> pairs.add(key + "=" + value));
      return String.join(",", pairs);
    }
  }
}
