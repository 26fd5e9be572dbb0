package dev.freshet.online;

import io.lettuce.core.SslVerifyMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command-line options of a {@link RedisConnection} besides its URI, the same in every program
 * that connects to Redis: {@code @Mixin RedisConnectionOptions redisOptions;} next to the program's
 * own URI option, then {@link #connection(String)}.
 */
public final class RedisConnectionOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--redis-username",
      paramLabel = "NAME",
      description = "Redis ACL user to log in as (Redis 6+); without it, the default user.")
  String username;

  @Option(
      names = "--redis-password-file",
      paramLabel = "FILE",
      description =
          "File holding the Redis password, e.g. a mounted Kubernetes Secret; read at every"
              + " connect, a trailing line break ignored. Preferred over a password in the URI.")
  Path passwordFile;

  @Option(
      names = "--redis-password-env",
      paramLabel = "VARIABLE",
      description =
          "Environment variable holding the Redis password, conventionally "
              + RedisConnection.PASSWORD_ENVIRONMENT_VARIABLE
              + "; read at every connect.")
  String passwordEnvironmentVariable;

  @Option(
      names = "--redis-tls-ca-file",
      paramLabel = "FILE",
      description =
          "PEM file of the CA certificates to trust for rediss:// instead of the JVM's trust"
              + " store, e.g. a private CA's.")
  Path caCertificateFile;

  @Option(
      names = "--redis-tls-verify",
      paramLabel = "full|ca|none",
      converter = VerifyModeConverter.class,
      description =
          "What to check of the server's certificate for rediss://: full (the CA and the host"
              + " name; the default), ca (the CA only), none (nothing; tests only).")
  SslVerifyMode tlsVerify;

  /**
   * The connection to {@code uri} with these options; empty when there is no URI and none of these
   * options is given.
   *
   * @throws ParameterException if the options contradict each other or the URI, or are given
   *     without a URI
   */
  public Optional<RedisConnection> connection(String uri) {
    if (uri == null) {
      if (anyGiven()) {
        throw new ParameterException(
            command.commandLine(),
            "Redis options (--redis-username, --redis-password-*, --redis-tls-*) are given but no"
                + " Redis URI");
      }
      return Optional.empty();
    }
    RedisConnection.Builder connection = RedisConnection.builder();
    try {
      connection.uri(uri);
      if (username != null) {
        connection.username(username);
      }
      if (passwordFile != null) {
        connection.passwordFile(passwordFile);
      }
      if (passwordEnvironmentVariable != null) {
        connection.passwordEnvironmentVariable(passwordEnvironmentVariable);
      }
      if (caCertificateFile != null) {
        connection.caCertificateFile(caCertificateFile);
      }
      if (tlsVerify != null) {
        connection.tlsVerify(tlsVerify);
      }
      return Optional.of(connection.build());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }

  /**
   * The options given, as arguments for another program with these options: what {@code featurectl
   * submit} passes on to the job. Names and paths only, never a password.
   */
  public List<String> arguments() {
    List<String> arguments = new ArrayList<>();
    addIfGiven(arguments, "--redis-username", username);
    addIfGiven(arguments, "--redis-password-file", passwordFile);
    addIfGiven(arguments, "--redis-password-env", passwordEnvironmentVariable);
    addIfGiven(arguments, "--redis-tls-ca-file", caCertificateFile);
    addIfGiven(
        arguments,
        "--redis-tls-verify",
        tlsVerify == null ? null : tlsVerify.name().toLowerCase(Locale.ROOT));
    return arguments;
  }

  private static void addIfGiven(List<String> arguments, String option, Object value) {
    if (value != null) {
      arguments.add(option);
      arguments.add(value.toString());
    }
  }

  private boolean anyGiven() {
    return !arguments().isEmpty();
  }

  /** full, ca or none, in any case: Lettuce's {@link SslVerifyMode} names. */
  static final class VerifyModeConverter implements ITypeConverter<SslVerifyMode> {
    @Override
    public SslVerifyMode convert(String value) {
      try {
        return SslVerifyMode.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is no TLS verification; use full, ca or none");
      }
    }
  }
}
