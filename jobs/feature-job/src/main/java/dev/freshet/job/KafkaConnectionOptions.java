package dev.freshet.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command-line options of a {@link KafkaConnection} besides its bootstrap servers, the same in
 * every program that connects to Kafka: {@code @Mixin KafkaConnectionOptions kafkaOptions;} next to
 * the program's own {@code --bootstrap-servers}, then {@link #connection(String)}.
 */
public final class KafkaConnectionOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--kafka-security-protocol",
      paramLabel = "PROTOCOL",
      converter = SecurityProtocolConverter.class,
      description =
          "How Kafka clients talk to the brokers: PLAINTEXT (the default), SSL, SASL_PLAINTEXT or"
              + " SASL_SSL.")
  SecurityProtocol securityProtocol;

  @Option(
      names = "--kafka-sasl-mechanism",
      paramLabel = "MECHANISM",
      description =
          "SASL mechanism for SASL_SSL and SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
              + " (the default).")
  String saslMechanism;

  @Option(
      names = "--kafka-username",
      paramLabel = "NAME",
      description = "Kafka SASL user to log in as.")
  String username;

  @Option(
      names = "--kafka-password-file",
      paramLabel = "FILE",
      description =
          "File holding the Kafka SASL password, e.g. a mounted Kubernetes Secret; read at every"
              + " login on the JobManager and every TaskManager, a trailing line break ignored.")
  Path passwordFile;

  @Option(
      names = "--kafka-password-env",
      paramLabel = "VARIABLE",
      description =
          "Environment variable holding the Kafka SASL password, conventionally "
              + KafkaConnection.PASSWORD_ENVIRONMENT_VARIABLE
              + "; read at every login.")
  String passwordEnvironmentVariable;

  @Option(
      names = "--kafka-tls-ca-file",
      paramLabel = "FILE",
      description =
          "PEM file of the CA certificates to trust for SSL and SASL_SSL instead of the JVM's"
              + " trust store, e.g. a private CA's.")
  Path caCertificateFile;

  /**
   * The connection to {@code bootstrapServers} with these options.
   *
   * @throws ParameterException if the options contradict each other or the protocol
   */
  public KafkaConnection connection(String bootstrapServers) {
    KafkaConnection.Builder connection = KafkaConnection.builder();
    try {
      connection.bootstrapServers(bootstrapServers);
      if (securityProtocol != null) {
        connection.securityProtocol(securityProtocol);
      }
      if (saslMechanism != null) {
        connection.saslMechanism(saslMechanism);
      }
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
      return connection.build();
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
    addIfGiven(
        arguments,
        "--kafka-security-protocol",
        securityProtocol == null ? null : securityProtocol.name);
    addIfGiven(arguments, "--kafka-sasl-mechanism", saslMechanism);
    addIfGiven(arguments, "--kafka-username", username);
    addIfGiven(arguments, "--kafka-password-file", passwordFile);
    addIfGiven(arguments, "--kafka-password-env", passwordEnvironmentVariable);
    addIfGiven(arguments, "--kafka-tls-ca-file", caCertificateFile);
    return arguments;
  }

  private static void addIfGiven(List<String> arguments, String option, Object value) {
    if (value != null) {
      arguments.add(option);
      arguments.add(value.toString());
    }
  }

  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, in any case. */
  static final class SecurityProtocolConverter implements ITypeConverter<SecurityProtocol> {
    private static final List<SecurityProtocol> SUPPORTED =
        List.of(
            SecurityProtocol.PLAINTEXT,
            SecurityProtocol.SSL,
            SecurityProtocol.SASL_PLAINTEXT,
            SecurityProtocol.SASL_SSL);

    @Override
    public SecurityProtocol convert(String value) {
      for (SecurityProtocol protocol : SUPPORTED) {
        if (protocol.name.equals(value.toUpperCase(Locale.ROOT))) {
          return protocol;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is no Kafka security protocol; use "
              + String.join(", ", SUPPORTED.stream().map(protocol -> protocol.name).toList()));
    }
  }
}
