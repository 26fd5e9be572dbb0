package dev.freshet.serving;

import static dev.freshet.serving.TestRegistry.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.FeatureViewEncoder;
import dev.freshet.online.OnlineRow;
import dev.freshet.online.RedisConnection;
import dev.freshet.testsupport.CapturedLogs;
import dev.freshet.testsupport.TlsRedisTestServer;
import feast.proto.core.RegistryProto;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.types.ValueProto.ValueType;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The server against a Redis that speaks TLS only and requires a password ({@link
 * TlsRedisTestServer}), asked by Feast's own Java client: it serves what a client connected with
 * the same kind of {@link RedisConnection} wrote (the online sink's side is {@code
 * OnlineSinkTlsITCase}), and a wrong password stops its start with Redis's reason but without a
 * password, in the exception, on the command's error output and in the logs.
 */
class FeatureServerTlsITCase {

  private static final String PROJECT = "serving_tls_itcase";
  private static final FeatureViewEncoder USER_STATS =
      new FeatureViewEncoder(PROJECT, "user_stats", List.of("user_id"), List.of("plays_1m"), null);
  private static final RegistryProto.Registry REGISTRY =
      new TestRegistry(PROJECT)
          .entity("user_id", ValueType.Enum.STRING)
          .view("user_stats", List.of("user_id"), types("plays_1m", ValueType.Enum.INT64), 3600)
          .build();

  private static RedisServerProcess redis;
  private static RedisClient writerClient;
  private static StatefulRedisConnection<byte[], byte[]> writer;

  @TempDir Path dir;

  @BeforeAll
  static void connectWriter() {
    redis = TlsRedisTestServer.shared();
    RedisConnection connection = trustedWithPasswordFile();
    writerClient = connection.newClient();
    writer = writerClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void closeWriter() {
    if (writer != null) {
      writer.close();
    }
    if (writerClient != null) {
      writerClient.shutdown();
    }
  }

  @Test
  void feastClientGetsValuesTheServerReadsOverTlsWithThePasswordFromAFile() throws Exception {
    write(USER_STATS.encode(List.of("user-tls"), secondsAgo(10), new Object[] {42L}));

    try (FeatureServer server = server(trustedWithPasswordFile()).start();
        FeastClient client = FeastClient.create("127.0.0.1", server.port())) {
      Row row =
          client
              .getOnlineFeatures(
                  List.of("user_stats:plays_1m"), List.of(Row.create().set("user_id", "user-tls")))
              .get(0);

      assertThat(row.getStatus("user_stats:plays_1m")).isEqualTo(FieldStatus.PRESENT);
      assertThat(row.getLong("user_stats:plays_1m")).isEqualTo(42L);
    }
  }

  @Test
  void wrongPasswordStopsTheStartWithRedissReasonAndNoPassword() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    RedisConnection withWrongPassword = withPasswordFile(wrongPassword);

    assertThatThrownBy(() -> server(withWrongPassword).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Cannot connect to Redis at " + withWrongPassword + ": ")
        .hasMessageContaining("WRONGPASS")
        .satisfies(
            failure ->
                assertThat(CapturedLogs.stackTraceOf(failure))
                    .doesNotContain(redis.password())
                    .doesNotContain(wrongPassword));
  }

  @Test
  void commandWithAWrongPasswordExitsWith1SayingWhyWithoutThePassword() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    Path wrongPasswordFile = Files.writeString(dir.resolve("wrong-password"), wrongPassword);
    Path registryFile = dir.resolve("registry.pb");
    Files.write(registryFile, REGISTRY.toByteArray());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new FeatureServerCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int exitCode =
        cli.execute(
            "--registry",
            registryFile.toString(),
            "--redis",
            redis.uri(),
            "--redis-password-file",
            wrongPasswordFile.toString(),
            "--redis-tls-ca-file",
            redis.caCertificateFile().toString(),
            "--port",
            "0");

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "error: Cannot connect to Redis at "
                + redis.uri()
                + " (password from file "
                + wrongPasswordFile
                + ", CA certificates from "
                + redis.caCertificateFile()
                + "): ")
        .contains("WRONGPASS")
        .doesNotContain(redis.password())
        .doesNotContain(wrongPassword);
    assertThat(out).hasToString("");
  }

  /**
   * Up to debug level: at trace level Lettuce's {@code io.lettuce.core.protocol} loggers write
   * every command as sent, the handshake's {@code HELLO 3 AUTH user password} included.
   */
  @Test
  void noLogLineUpToDebugLevelHoldsAPassword() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    write(USER_STATS.encode(List.of("user-logged"), secondsAgo(10), new Object[] {7L}));
    try (CapturedLogs logs = CapturedLogs.atLevel(Level.DEBUG)) {
      try (FeatureServer server = server(trustedWithPasswordFile()).start();
          FeastClient client = FeastClient.create("127.0.0.1", server.port())) {
        client.getOnlineFeatures(
            List.of("user_stats:plays_1m"), List.of(Row.create().set("user_id", "user-logged")));
      }
      assertThatThrownBy(() -> server(withPasswordFile(wrongPassword)).start())
          .isInstanceOf(IllegalStateException.class);

      assertThat(logs.text())
          .as("Lettuce logs the handshake at debug level: the capture sees it")
          .contains("writing command AsyncCommand [type=HELLO")
          .doesNotContain(redis.password())
          .doesNotContain(wrongPassword);
    }
  }

  private static FeatureServer server(RedisConnection connection) {
    return FeatureServer.builder()
        .registry(REGISTRY)
        .redis(connection)
        .project(PROJECT)
        .port(0)
        .build();
  }

  private static RedisConnection trustedWithPasswordFile() {
    return RedisConnection.builder()
        .uri(redis.uri())
        .passwordFile(redis.passwordFile())
        .caCertificateFile(redis.caCertificateFile())
        .build();
  }

  private RedisConnection withPasswordFile(String password) throws Exception {
    Path passwordFile = Files.writeString(Files.createTempFile(dir, "password", ""), password);
    return RedisConnection.builder()
        .uri(redis.uri())
        .passwordFile(passwordFile)
        .caCertificateFile(redis.caCertificateFile())
        .build();
  }

  /** What Freshet's online sink writes for a row: the values and the view's event time. */
  private static void write(OnlineRow row) {
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    for (int i = 0; i < row.fields.length; i++) {
      fields.put(row.fields[i], row.values[i]);
    }
    fields.put(
        FeastRedisLayout.timestampField(row.featureView),
        FeastRedisLayout.timestamp(row.eventTimeMillis));
    writer.sync().hset(row.key, fields);
  }

  private static long secondsAgo(long seconds) {
    return Instant.now().minusSeconds(seconds).toEpochMilli();
  }
}
