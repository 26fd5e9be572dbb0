package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.job.FeatureRow;
import dev.freshet.job.OnlineRowMapper;
import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.OnlineRow;
import dev.freshet.serving.FeatureServer;
import dev.freshet.testsupport.RealRedisExtension;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole online path but Flink: {@code featurectl register} writes the registry, the job's
 * {@link OnlineRowMapper} turns feature rows into Feast rows written to a real Redis, and the
 * feature server, reading that registry, answers Feast's own Java client. Proves that the
 * exporter's feature views and the job's writes agree.
 */
class RegisterAndServeITCase {

  @RegisterExtension static final RealRedisExtension REDIS = new RealRedisExtension();

  private static final String PROJECT = "register_itcase";

  /** How the job joins the parts of a composite entity key (ContractInputs.KEY_PART_SEPARATOR). */
  private static final String KEY_PART_SEPARATOR = "\u001f";

  @TempDir Path dir;

  @Test
  void registeredContractsAreServedFromWhatTheJobWrites() throws Exception {
    Path contractsDir = Files.createDirectories(dir.resolve("contracts"));
    Files.writeString(
        contractsDir.resolve("user_listening.yaml"),
        FeastRegistryExportTest.USER_LISTENING.replace(
            "online: { enabled: true }",
            "online: { enabled: true, feast_project: " + PROJECT + " }"));
    Files.writeString(
        contractsDir.resolve("device_writes.yaml"),
        FeastRegistryExportTest.DEVICE_WRITES.replace(
            "feast_project: storage", "feast_project: " + PROJECT));
    Path registry = dir.resolve("registry.pb");

    int exitCode =
        Featurectl.commandLine()
            .setOut(new PrintWriter(new StringWriter()))
            .execute(
                "register",
                "--contracts",
                contractsDir.toString(),
                "--output",
                registry.toString());
    assertThat(exitCode).isZero();

    List<Contract> contracts = new ContractLoader().loadDirectory(contractsDir);
    long now = Instant.now().toEpochMilli();
    long fiveMinutesAgo = now - 5 * 60_000;
    write(
        contracts,
        // plays_1m, avg_played_ms_10m (no value), top_artists_1h, busy (derived)
        new FeatureRow(
            "user_listening",
            "user-1",
            now - 10_000,
            new double[] {5, Double.NaN, 0, 1},
            new String[][] {null, null, {"artist-3", "artist-1"}, null}),
        // device_writes is version 2, so its id is device_writes_v2; serving_max_age is 90s
        new FeatureRow(
            "device_writes_v2",
            "host-1" + KEY_PART_SEPARATOR + "2051",
            fiveMinutesAgo,
            new double[] {4096}));

    try (FeatureServer server =
            FeatureServer.builder()
                .registryFile(registry)
                .redisUri(REDIS.uri())
                .project(PROJECT)
                .port(0)
                .build()
                .start();
        FeastClient client = FeastClient.create("127.0.0.1", server.port())) {
      Row user =
          client
              .getOnlineFeatures(
                  List.of(
                      "user_listening:plays_1m",
                      "user_listening:avg_played_ms_10m",
                      "user_listening:top_artists_1h",
                      "user_listening:busy"),
                  List.of(Row.create().set("user_id", "user-1")))
              .get(0);
      Row device =
          client
              .getOnlineFeatures(
                  List.of("device_writes_fv:bytes_1m"),
                  List.of(Row.create().set("host", "host-1").set("device", 2051L)))
              .get(0);

      assertThat(user.getLong("user_listening:plays_1m")).isEqualTo(5L);
      assertThat(user.getStatus("user_listening:plays_1m")).isEqualTo(FieldStatus.PRESENT);
      assertThat(user.getStatus("user_listening:avg_played_ms_10m"))
          .isEqualTo(FieldStatus.NULL_VALUE);
      assertThat(
              user.getFields().get("user_listening:top_artists_1h").getStringListVal().getValList())
          .containsExactly("artist-3", "artist-1");
      assertThat(user.getLong("user_listening:busy")).isEqualTo(1L);
      assertThat(user.getStatus("user_listening:busy")).isEqualTo(FieldStatus.PRESENT);

      assertThat(device.getLong("device_writes_fv:bytes_1m")).isEqualTo(4096L);
      assertThat(device.getStatus("device_writes_fv:bytes_1m"))
          .isEqualTo(FieldStatus.OUTSIDE_MAX_AGE);
      assertThat(device.getEntityTimestamp().getSeconds()).isEqualTo(fiveMinutesAgo / 1000);
    }
  }

  /** The rows as the job maps them, written as the online sink writes a newer row. */
  private static void write(List<Contract> contracts, FeatureRow... rows) throws Exception {
    List<OnlineRow> online = new ArrayList<>();
    OnlineRowMapper mapper = new OnlineRowMapper(contracts);
    for (FeatureRow row : rows) {
      mapper.flatMap(row, new ListCollector<>(online));
    }
    assertThat(online).hasSize(rows.length);
    RedisClient client = RedisClient.create(REDIS.uri());
    try (StatefulRedisConnection<byte[], byte[]> redis = client.connect(ByteArrayCodec.INSTANCE)) {
      for (OnlineRow row : online) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i < row.fields.length; i++) {
          fields.put(row.fields[i], row.values[i]);
        }
        fields.put(
            FeastRedisLayout.timestampField(row.featureView),
            FeastRedisLayout.timestamp(row.eventTimeMillis));
        redis.sync().hset(row.key, fields);
      }
    } finally {
      client.shutdown();
    }
  }
}
