package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.localstack.ThrowawayCertificates;
import dev.freshet.testsupport.CapturedLogs;
import dev.freshet.testsupport.TlsRedisTestServer;
import feast.proto.types.ValueProto;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLHandshakeException;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer against a Redis that speaks TLS only and requires a password ({@link
 * TlsRedisTestServer}): rows land when the connection trusts the server's CA and gives the password
 * from a file or an environment variable; a wrong password, plain text, an untrusted certificate
 * and a certificate for another host are refused with errors that say why; and the password appears
 * in no error, stack trace or log line.
 */
class OnlineSinkTlsITCase {

  private static final String PROJECT = "online_sink_tls";
  private static final String VIEW = "user_stats";
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
  private static final SinkWriter.Context NO_CONTEXT = new NoContext();
  private static final FeatureViewEncoder USER_STATS =
      new FeatureViewEncoder(PROJECT, VIEW, List.of("user_id"), List.of("clicks"), null);

  /** A Redis user whose password is only in this JVM's environment (see pom.xml). */
  private static final String ENVIRONMENT_USER = "freshet-env-test";

  private static RedisServerProcess redis;
  private static RedisClient readerClient;
  private static StatefulRedisConnection<byte[], byte[]> reader;

  @TempDir Path dir;

  @BeforeAll
  static void connectReaderAndAddTheEnvironmentsUser() {
    redis = TlsRedisTestServer.shared();
    readerClient = trustedWithPasswordFile().newClient();
    reader = readerClient.connect(ByteArrayCodec.INSTANCE);
    reader
        .sync()
        .aclSetuser(
            ENVIRONMENT_USER,
            AclSetuserArgs.Builder.on()
                .addPassword(System.getenv(RedisConnectionTest.TEST_PASSWORD_VARIABLE))
                .allKeys()
                .allCommands());
  }

  @AfterAll
  static void closeReader() {
    if (reader != null) {
      reader.close();
    }
    if (readerClient != null) {
      readerClient.shutdown();
    }
  }

  @Test
  void rowLandsThroughTlsWithThePasswordFromAFile() throws Exception {
    try (OnlineSinkWriter writer = writer(trustedWithPasswordFile())) {
      writer.write(USER_STATS.encode(List.of(1L), 1_000, new Object[] {11L}), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(storedClicks(1L)).isEqualTo(11L);
  }

  @Test
  void rowLandsAsTheUserWhosePasswordIsInTheEnvironment() throws Exception {
    assertThat(System.getenv(RedisConnectionTest.TEST_PASSWORD_VARIABLE))
        .as("set by failsafe in pom.xml")
        .isEqualTo(RedisConnectionTest.ENVIRONMENT_PASSWORD);
    RedisConnection asEnvironmentUser =
        RedisConnection.builder()
            .uri(redis.uri())
            .username(ENVIRONMENT_USER)
            .passwordEnvironmentVariable(RedisConnectionTest.TEST_PASSWORD_VARIABLE)
            .caCertificateFile(redis.caCertificateFile())
            .build();

    try (OnlineSinkWriter writer = writer(asEnvironmentUser)) {
      writer.write(USER_STATS.encode(List.of(2L), 1_000, new Object[] {22L}), NO_CONTEXT);
      writer.flush(false);
    }

    assertThat(storedClicks(2L)).isEqualTo(22L);
  }

  @Test
  void wrongPasswordIsRefusedWithRedissReasonAndNoPassword() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    Path wrongPasswordFile = Files.writeString(dir.resolve("wrong-password"), wrongPassword);
    RedisConnection withWrongPassword =
        RedisConnection.builder()
            .uri(redis.uri())
            .passwordFile(wrongPasswordFile)
            .caCertificateFile(redis.caCertificateFile())
            .build();

    assertThatThrownBy(() -> writer(withWrongPassword))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "Cannot connect to Redis at "
                + redis.uri()
                + " (password from file "
                + wrongPasswordFile
                + ", CA certificates from "
                + redis.caCertificateFile()
                + "): ")
        .hasMessageContaining("WRONGPASS")
        .satisfies(
            failure -> assertNoPasswordIn(CapturedLogs.stackTraceOf(failure), wrongPassword));
  }

  @Test
  void plainTextClientGetsNoConnectionFromTheTlsPort() {
    String plainTextUri = redis.uri().replace("rediss://", "redis://");
    RedisConnection plainText =
        RedisConnection.builder().uri(plainTextUri).passwordFile(redis.passwordFile()).build();

    assertThatThrownBy(() -> writer(plainText))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Cannot connect to Redis at " + plainTextUri + " (")
        .satisfies(failure -> assertNoPasswordIn(CapturedLogs.stackTraceOf(failure)));
  }

  @Test
  void certificateOfACaTheJvmDoesNotTrustIsRefusedUnlessVerificationIsOff() throws Exception {
    RedisConnection withoutTheCa =
        RedisConnection.builder().uri(redis.uri()).passwordFile(redis.passwordFile()).build();
    RedisConnection withoutVerification =
        RedisConnection.builder()
            .uri(redis.uri())
            .passwordFile(redis.passwordFile())
            .tlsVerify(SslVerifyMode.NONE)
            .build();

    assertThatThrownBy(() -> writer(withoutTheCa))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Cannot connect to Redis at " + redis.uri() + " (")
        .hasMessageContaining("unable to find valid certification path")
        .satisfies(
            failure ->
                assertThat(causes(failure))
                    .hasAtLeastOneElementOfType(SSLHandshakeException.class));
    try (OnlineSinkWriter writer = writer(withoutVerification)) {
      writer.write(USER_STATS.encode(List.of(3L), 1_000, new Object[] {33L}), NO_CONTEXT);
      writer.flush(false);
    }
    assertThat(storedClicks(3L)).as("what refused the server was the check alone").isEqualTo(33L);
  }

  @Test
  void certificateForAnotherHostIsRefusedUnlessOnlyTheCaIsChecked() throws Exception {
    ThrowawayCertificates otherHosts =
        ThrowawayCertificates.create(dir.resolve("certificates"), "DNS:redis.invalid");
    try (RedisServerProcess otherHost = RedisServerProcess.startWithTls(dir, otherHosts)) {
      RedisConnection.Builder connection =
          RedisConnection.builder()
              .uri(otherHost.uri())
              .passwordFile(otherHost.passwordFile())
              .caCertificateFile(otherHost.caCertificateFile());

      assertThatThrownBy(() -> writer(connection.build()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1")
          .satisfies(
              failure ->
                  assertThat(causes(failure))
                      .hasAtLeastOneElementOfType(CertificateException.class));
      try (OnlineSinkWriter writer = writer(connection.tlsVerify(SslVerifyMode.CA).build())) {
        writer.write(USER_STATS.encode(List.of(4L), 1_000, new Object[] {44L}), NO_CONTEXT);
        writer.flush(false);
      }
    }
  }

  /**
   * Up to debug level. At trace level Lettuce's {@code io.lettuce.core.protocol} loggers write
   * every command as sent and every reply as received, and the handshake's {@code HELLO 3 AUTH user
   * password} with it: never turn those loggers up to trace where the password matters.
   */
  @Test
  void noLogLineUpToDebugLevelHoldsAPassword() throws Exception {
    String wrongPassword = "not-the-password-" + UUID.randomUUID();
    Path wrongPasswordFile = Files.writeString(dir.resolve("wrong-password"), wrongPassword);
    try (CapturedLogs logs = CapturedLogs.atLevel(Level.DEBUG)) {
      try (OnlineSinkWriter writer = writer(trustedWithPasswordFile())) {
        writer.write(USER_STATS.encode(List.of(5L), 1_000, new Object[] {55L}), NO_CONTEXT);
        writer.flush(false);
      }
      assertThatThrownBy(
              () ->
                  writer(
                      RedisConnection.builder()
                          .uri(redis.uri())
                          .passwordFile(wrongPasswordFile)
                          .caCertificateFile(redis.caCertificateFile())
                          .build()))
          .isInstanceOf(IOException.class);

      assertThat(logs.text())
          .as("Lettuce logs the handshake at debug level: the capture sees it")
          .contains("writing command AsyncCommand [type=HELLO");
      assertNoPasswordIn(logs.text(), wrongPassword);
    }
  }

  private static RedisConnection trustedWithPasswordFile() {
    return RedisConnection.builder()
        .uri(redis.uri())
        .passwordFile(redis.passwordFile())
        .caCertificateFile(redis.caCertificateFile())
        .build();
  }

  private static OnlineSinkWriter writer(RedisConnection connection) throws IOException {
    return new OnlineSinkWriter(
        connection,
        8,
        WRITE_TIMEOUT,
        WRITE_TIMEOUT,
        OnlineWriteListener.NONE,
        new MetricListener().getMetricGroup());
  }

  private static long storedClicks(long userId) throws Exception {
    byte[] key = FeastRedisLayout.redisKey(List.of("user_id"), List.of(userId), PROJECT);
    return ValueProto.Value.parseFrom(
            reader.sync().hget(key, FeastRedisLayout.featureField(VIEW, "clicks")))
        .getInt64Val();
  }

  private static void assertNoPasswordIn(String text, String... otherPasswords) {
    assertThat(text).doesNotContain(redis.password());
    for (String password : otherPasswords) {
      assertThat(text).doesNotContain(password);
    }
  }

  private static List<Throwable> causes(Throwable failure) {
    List<Throwable> causes = new ArrayList<>();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      causes.add(cause);
    }
    return causes;
  }

  /** The writer reads nothing from the context. */
  private static final class NoContext implements SinkWriter.Context {
    @Override
    public long currentWatermark() {
      return Long.MIN_VALUE;
    }

    @Override
    public Long timestamp() {
      return null;
    }
  }
}
