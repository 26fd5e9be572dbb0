package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class RedisConnectionOptionsTest {

  private final StringWriter err = new StringWriter();
  private final ConnectCommand command = new ConnectCommand();

  @Test
  void everyOptionReachesTheConnection() {
    int exitCode =
        execute(
            "--redis-uri",
            "rediss://redis:6380",
            "--redis-username",
            "feature-server",
            "--redis-password-file",
            "/etc/redis/password",
            "--redis-tls-ca-file",
            "/etc/redis/ca.pem",
            "--redis-tls-verify",
            "ca");

    assertThat(exitCode).isZero();
    assertThat(command.connection.orElseThrow())
        .hasToString(
            "rediss://redis:6380 (user feature-server, password from file /etc/redis/password,"
                + " CA certificates from /etc/redis/ca.pem, TLS verification CA)");
  }

  @Test
  void givenOptionsBecomeArgumentsForAnotherProgram() {
    execute(
        "--redis-password-env",
        "FRESHET_REDIS_PASSWORD",
        "--redis-tls-ca-file",
        "/etc/redis/ca.pem",
        "--redis-tls-verify",
        "CA");

    assertThat(command.redisOptions.arguments())
        .containsExactly(
            "--redis-password-env",
            "FRESHET_REDIS_PASSWORD",
            "--redis-tls-ca-file",
            "/etc/redis/ca.pem",
            "--redis-tls-verify",
            "ca");
  }

  @Test
  void passwordFromAnEnvironmentVariableIsNamedNotRead() {
    assertThat(
            execute(
                "--redis-uri", "redis://redis:6379", "--redis-password-env", "NO_SUCH_VARIABLE"))
        .isZero();
    assertThat(command.connection.orElseThrow())
        .hasToString("redis://redis:6379 (password from $NO_SUCH_VARIABLE)");
  }

  @Test
  void noUriAndNoOptionsIsNoConnection() {
    assertThat(execute()).isZero();
    assertThat(command.connection).isEmpty();
  }

  @Test
  void optionsWithoutAUriAreAUsageError() {
    assertThat(execute("--redis-password-file", "/etc/redis/password")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "Redis options (--redis-username, --redis-password-*, --redis-tls-*) are given but no"
                + " Redis URI");
  }

  @Test
  void contradictionsAreUsageErrorsWithTheConnectionsMessage() {
    assertThat(
            execute(
                "--redis-uri",
                "redis://redis:6379",
                "--redis-password-file",
                "/etc/redis/password",
                "--redis-password-env",
                "FRESHET_REDIS_PASSWORD"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "The Redis password comes from the file /etc/redis/password already; give a password"
                + " file or an environment variable, not both");
  }

  @Test
  void unknownVerificationIsAUsageErrorListingTheKnownOnes() {
    assertThat(execute("--redis-uri", "rediss://redis:6380", "--redis-tls-verify", "strict"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'strict' is no TLS verification; use full, ca or none");
  }

  private int execute(String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Command(name = "connect")
  static final class ConnectCommand implements Callable<Integer> {
    @Option(names = "--redis-uri")
    String uri;

    @Mixin RedisConnectionOptions redisOptions;

    Optional<RedisConnection> connection;

    @Override
    public Integer call() {
      connection = redisOptions.connection(uri);
      return 0;
    }
  }
}
