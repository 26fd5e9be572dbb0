package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisConnectionTest {

  /** Set by surefire and failsafe (this module's pom.xml) to {@link #ENVIRONMENT_PASSWORD}. */
  static final String TEST_PASSWORD_VARIABLE = "FRESHET_TEST_REDIS_PASSWORD";

  static final String ENVIRONMENT_PASSWORD = "env-password-for-tests-only";

  @TempDir Path dir;

  @Test
  void toStringShowsWhereThePasswordComesFromButNeverAPassword() {
    assertThat(RedisConnection.of("rediss://:s3cret@redis:6380/1"))
        .hasToString("rediss://***@redis:6380/1");
    assertThat(
            RedisConnection.builder()
                .uri("rediss://redis:6380")
                .username("feature-server")
                .passwordFile(Path.of("/etc/redis/password"))
                .caCertificateFile(Path.of("/etc/redis/ca.pem"))
                .tlsVerify(SslVerifyMode.CA)
                .build())
        .hasToString(
            "rediss://redis:6380 (user feature-server, password from file /etc/redis/password,"
                + " CA certificates from /etc/redis/ca.pem, TLS verification CA)");
    assertThat(
            RedisConnection.builder()
                .uri("redis://redis:6379")
                .passwordEnvironmentVariable("FRESHET_REDIS_PASSWORD")
                .build())
        .hasToString("redis://redis:6379 (password from $FRESHET_REDIS_PASSWORD)");
  }

  @Test
  void uriThatDoesNotParseIsRefusedWithoutItsPasswordInMessageOrCause() {
    // Lettuce's own message for this URI quotes it whole, password included.
    assertThatThrownBy(() -> RedisConnection.of("redis://:s3cret pw@redis:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'redis://***@redis:6379' is not a Redis URI; use e.g. redis://host:6379 or"
                + " rediss://host:6380 for TLS")
        .hasNoCause();
  }

  @Test
  void passwordFileIsReadAtEveryConnectWithoutItsTrailingLineBreak() throws Exception {
    Path passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, "first-password\n");
    RedisURI uri =
        RedisConnection.builder()
            .uri("redis://127.0.0.1:6379")
            .passwordFile(passwordFile)
            .build()
            .toRedisUri();

    assertThat(credentials(uri).getPassword()).isEqualTo("first-password".toCharArray());
    assertThat(credentials(uri).hasUsername()).isFalse();

    // what a rotated Kubernetes Secret looks like to the pod: the same file, new content
    Files.writeString(passwordFile, "second-password\r\n");
    assertThat(credentials(uri).getPassword()).isEqualTo("second-password".toCharArray());
  }

  @Test
  void passwordAndUserComeFromTheEnvironmentVariable() {
    assertThat(System.getenv(TEST_PASSWORD_VARIABLE))
        .as("%s, set by surefire and failsafe in pom.xml", TEST_PASSWORD_VARIABLE)
        .isEqualTo(ENVIRONMENT_PASSWORD);
    RedisURI uri =
        RedisConnection.builder()
            .uri("redis://127.0.0.1:6379")
            .username("feature-server")
            .passwordEnvironmentVariable(TEST_PASSWORD_VARIABLE)
            .build()
            .toRedisUri();

    RedisCredentials credentials = credentials(uri);
    assertThat(credentials.getUsername()).isEqualTo("feature-server");
    assertThat(credentials.getPassword()).isEqualTo(ENVIRONMENT_PASSWORD.toCharArray());
  }

  @Test
  void missingPasswordFileFailsTheConnectNamingTheFile() {
    Path missing = dir.resolve("missing");
    RedisURI uri =
        RedisConnection.builder()
            .uri("redis://127.0.0.1:6379")
            .passwordFile(missing)
            .build()
            .toRedisUri();

    assertThatThrownBy(() -> credentials(uri))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Cannot read the Redis password: the password file " + missing + " does not exist");
  }

  @Test
  void emptyPasswordFileAndUnsetVariableFailTheConnectNamingThem() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    RedisURI fromEmptyFile =
        RedisConnection.builder()
            .uri("redis://127.0.0.1:6379")
            .passwordFile(empty)
            .build()
            .toRedisUri();
    RedisURI fromUnsetVariable =
        RedisConnection.builder()
            .uri("redis://127.0.0.1:6379")
            .passwordEnvironmentVariable("FRESHET_TEST_UNSET_VARIABLE")
            .build()
            .toRedisUri();

    assertThatThrownBy(() -> credentials(fromEmptyFile))
        .hasMessage("Cannot read the Redis password: the password file " + empty + " is empty");
    assertThatThrownBy(() -> credentials(fromUnsetVariable))
        .hasMessage(
            "Cannot read the Redis password: the environment variable FRESHET_TEST_UNSET_VARIABLE"
                + " is not set");
  }

  @Test
  void serializedConnectionHoldsWhereThePasswordIsButNotThePassword() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("password"), "password-in-a-file\n");
    RedisConnection connection =
        RedisConnection.builder().uri("rediss://redis:6380").passwordFile(passwordFile).build();
    // reading the password, as a connect does, must leave nothing of it in the connection
    assertThat(credentials(connection.toRedisUri()).getPassword()).isNotEmpty();

    byte[] serialized = InstantiationUtil.serializeObject(connection);
    RedisConnection copy =
        InstantiationUtil.deserializeObject(serialized, getClass().getClassLoader());

    assertThat(new String(serialized, StandardCharsets.ISO_8859_1))
        .contains(passwordFile.toString())
        .doesNotContain("password-in-a-file");
    assertThat(credentials(copy.toRedisUri()).getPassword())
        .isEqualTo("password-in-a-file".toCharArray());
  }

  @Test
  void tlsVerificationGivenOverridesTheUrisAndTheUrisOtherwiseApplies() {
    assertThat(RedisConnection.of("rediss://redis:6380").toRedisUri().getVerifyMode())
        .isEqualTo(SslVerifyMode.FULL);
    assertThat(
            RedisConnection.of("rediss://redis:6380?verifyPeer=NONE").toRedisUri().getVerifyMode())
        .isEqualTo(SslVerifyMode.NONE);
    assertThat(
            RedisConnection.builder()
                .uri("rediss://redis:6380?verifyPeer=NONE")
                .tlsVerify(SslVerifyMode.CA)
                .build()
                .toRedisUri()
                .getVerifyMode())
        .isEqualTo(SslVerifyMode.CA);
  }

  @Test
  void passwordInTheUriAndFromAFileIsRefusedWithoutShowingIt() {
    assertThatThrownBy(
            () ->
                RedisConnection.builder()
                    .uri("redis://:s3cret@redis:6379")
                    .passwordFile(Path.of("/etc/redis/password"))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "The Redis URI redis://***@redis:6379 holds credentials, and a password file or"
                + " variable is given too; give them one way, preferably the file or variable with"
                + " a URI without credentials");
  }

  @Test
  void passwordFileAndVariableAreRefusedWhereTheSecondIsSet() {
    assertThatThrownBy(
            () ->
                RedisConnection.builder()
                    .passwordFile(Path.of("/etc/redis/password"))
                    .passwordEnvironmentVariable("FRESHET_REDIS_PASSWORD"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "The Redis password comes from the file /etc/redis/password already; give a password"
                + " file or an environment variable, not both");
    assertThatThrownBy(
            () ->
                RedisConnection.builder()
                    .passwordEnvironmentVariable("FRESHET_REDIS_PASSWORD")
                    .passwordFile(Path.of("/etc/redis/password")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "The Redis password comes from $FRESHET_REDIS_PASSWORD already; give a password file"
                + " or an environment variable, not both");
  }

  @Test
  void userWithoutPasswordIsRefused() {
    assertThatThrownBy(
            () -> RedisConnection.builder().uri("redis://redis:6379").username("reader").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "A Redis user (reader) needs a password; give a password file or environment"
                + " variable");
  }

  @Test
  void tlsSettingsForAUriWithoutTlsAreRefused() {
    assertThatThrownBy(
            () ->
                RedisConnection.builder()
                    .uri("redis://redis:6379")
                    .caCertificateFile(Path.of("/etc/redis/ca.pem"))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "TLS settings are given but the Redis URI redis://redis:6379 does not use TLS; use"
                + " rediss:// to connect with TLS");
    assertThatThrownBy(
            () ->
                RedisConnection.builder()
                    .uri("redis://redis:6379")
                    .tlsVerify(SslVerifyMode.NONE)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("TLS settings are given but the Redis URI redis://redis:6379");
  }

  @Test
  void connectFailureSaysEachCauseOnce() {
    RedisConnection connection = RedisConnection.of("rediss://redis:6380");
    // Lettuce's wrapping as a refused certificate shows it: the TLS failure comes three times
    Exception refused =
        new RedisConnectionException(
            "Unable to connect to redis/<unresolved>:6380",
            new CompletionException(
                new SSLHandshakeException("PKIX path building failed: no trusted CA")));
    refused.getCause().getCause().initCause(new CertificateException("no trusted CA"));

    assertThat(connection.connectFailure(refused))
        .isEqualTo(
            "Cannot connect to Redis at rediss://redis:6380: Unable to connect to"
                + " redis/<unresolved>:6380: PKIX path building failed: no trusted CA");
  }

  @Test
  void buildWithoutAUriSaysWhatToGive() {
    assertThatThrownBy(() -> RedisConnection.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "The Redis URI is not set; e.g. redis://host:6379, or rediss://host:6380 for TLS");
  }

  /** What Lettuce resolves when it connects. */
  private static RedisCredentials credentials(RedisURI uri) {
    return uri.getCredentialsProvider().resolveCredentials().block();
  }
}
