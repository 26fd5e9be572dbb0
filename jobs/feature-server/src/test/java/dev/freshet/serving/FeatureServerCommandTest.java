package dev.freshet.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FeatureServerCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void registryIsRequired() {
    assertThat(execute()).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--registry=FILE'");
  }

  @Test
  void portOutOfRangeIsAUsageError() {
    assertThat(execute("--registry", "registry.pb", "--port", "70000")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--port must be 0 to 65535, got 70000");
  }

  @Test
  void unreadableRegistryStopsTheStartWithExitCode1() {
    Path missing = dir.resolve("missing.pb");

    assertThat(execute("--registry", missing.toString(), "--port", "0")).isEqualTo(1);
    assertThat(err).hasToString("error: Cannot read the registry " + missing + "\n");
    assertThat(out).hasToString("");
  }

  @Test
  void tlsSettingsForAPlainTextRedisAreAUsageError() {
    assertThat(
            execute(
                "--registry",
                "registry.pb",
                "--redis",
                "redis://redis:6379",
                "--redis-tls-ca-file",
                "/etc/redis/ca.pem"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "TLS settings are given but the Redis URI redis://redis:6379 does not use TLS; use"
                + " rediss:// to connect with TLS");
  }

  @Test
  void passwordInTheUriAndInAFileIsAUsageErrorThatShowsNoPassword() {
    assertThat(
            execute(
                "--registry",
                "registry.pb",
                "--redis",
                "redis://:s3cret@redis:6379",
                "--redis-password-file",
                "/etc/redis/password"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith("The Redis URI redis://***@redis:6379 holds credentials")
        .doesNotContain("s3cret");
  }

  private int execute(String... args) {
    CommandLine cli = new CommandLine(new FeatureServerCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
