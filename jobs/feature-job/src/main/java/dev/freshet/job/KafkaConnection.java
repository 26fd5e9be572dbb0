package dev.freshet.job;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How the job's Kafka clients (both sources and the dead-letter sink) reach and authenticate to the
 * brokers: bootstrap servers, a security protocol, and for SASL a mechanism, a user and where the
 * password comes from. {@link #securityProperties()} turns it into Kafka client properties.
 *
 * <h2>The password</h2>
 *
 * Give it as a file ({@link Builder#passwordFile}, e.g. a mounted Kubernetes Secret) or as an
 * environment variable ({@link Builder#passwordEnvironmentVariable}, conventionally {@value
 * #PASSWORD_ENVIRONMENT_VARIABLE}). This object and the properties it makes hold only the file's
 * path or the variable's name; the password is read by {@link KafkaPasswordCallbackHandler} inside
 * the Kafka client, at every login, on the machine that connects (the JobManager, whose source
 * enumerators list partitions, and every TaskManager). So it never reaches a command line, Flink's
 * job graph (which carries the serialized sources and sink with their properties), checkpoints, the
 * web UI or a log, and a rotated Secret file takes effect at the next connection. A file's trailing
 * line break is not part of the password.
 *
 * <p>Why not Kafka's own config providers ({@code config.providers} with {@code
 * DirectoryConfigProvider} or {@code EnvVarConfigProvider} and a {@code ${directory:...}}
 * placeholder in {@code sasl.jaas.config})? They would keep the password out of the job graph too,
 * and kafka-clients 4.2.0 allows every provider while the system property {@code
 * org.apache.kafka.automatic.config.providers} is unset (read in its {@code AbstractConfig}). But
 * the provider splices the file's bytes as they are into the JAAS text: the trailing line break of
 * a file written by {@code echo} or {@code kubectl create secret --from-file} becomes part of the
 * password, and a {@code "} or {@code \} in the password changes how the JAAS text parses. It also
 * resolves once, when a client is built, so a rotated Secret takes effect only when the job
 * restarts; and a platform that sets that system property to harden its JVMs turns it off.
 *
 * <h2>TLS</h2>
 *
 * {@code SSL} and {@code SASL_SSL} check that the broker's certificate chains to a CA the JVM
 * trusts and names the host connected to (Kafka's defaults). {@link Builder#caCertificateFile}
 * trusts the CA certificates of a PEM file instead (a private CA, as most Kafka deployments use).
 */
public final class KafkaConnection implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The environment variable that conventionally holds the Kafka password. */
  public static final String PASSWORD_ENVIRONMENT_VARIABLE = "FRESHET_KAFKA_PASSWORD";

  /** The SASL mechanism when none is given: SCRAM, what Kafka deployments use. */
  public static final String DEFAULT_SASL_MECHANISM = "SCRAM-SHA-512";

  /** The SASL mechanisms a user name and password log in with, and their JAAS login modules. */
  private static final Map<String, String> LOGIN_MODULES =
      Map.of(
          "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
          "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
          "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

  /** For messages, in a stable order. */
  static final List<String> SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  private final String bootstrapServers;
  private final SecurityProtocol securityProtocol;

  /** Null unless the protocol is SASL_PLAINTEXT or SASL_SSL. */
  private final String saslMechanism;

  private final String username;

  /** A path, as a string: {@link Path} is not serializable. */
  private final String passwordFile;

  private final String passwordEnvironmentVariable;
  private final String caCertificateFile;

  private KafkaConnection(Builder builder, String saslMechanism) {
    this.bootstrapServers = builder.bootstrapServers;
    this.securityProtocol = builder.securityProtocol;
    this.saslMechanism = saslMechanism;
    this.username = builder.username;
    this.passwordFile = builder.passwordFile;
    this.passwordEnvironmentVariable = builder.passwordEnvironmentVariable;
    this.caCertificateFile = builder.caCertificateFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A connection to brokers that take plain text without authentication. */
  public static KafkaConnection plaintext(String bootstrapServers) {
    return builder().bootstrapServers(bootstrapServers).build();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public SecurityProtocol securityProtocol() {
    return securityProtocol;
  }

  /**
   * The Kafka client properties of the security protocol, TLS trust and SASL login, without the
   * bootstrap servers; empty for {@code PLAINTEXT}. They name the password file or variable, never
   * the password.
   */
  public Map<String, String> securityProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    if (securityProtocol == SecurityProtocol.PLAINTEXT) {
      return properties;
    }
    properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol.name);
    if (caCertificateFile != null) {
      // Kafka clients read PEM trust stores themselves (KIP-651): no keystore to convert to.
      properties.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caCertificateFile);
    }
    if (saslMechanism != null) {
      properties.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      properties.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
      properties.put(
          SaslConfigs.SASL_CLIENT_CALLBACK_HANDLER_CLASS,
          KafkaPasswordCallbackHandler.class.getName());
    }
    return properties;
  }

  /** {@link #securityProperties()} with the bootstrap servers: all a plain Kafka client needs. */
  public Properties clientProperties() {
    Properties properties = new Properties();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.putAll(securityProperties());
    return properties;
  }

  /**
   * The login module with the user and where {@link KafkaPasswordCallbackHandler} finds the
   * password; the module itself is given no password, so it leaves that to the handler.
   */
  private String jaasConfig() {
    StringBuilder jaas = new StringBuilder(LOGIN_MODULES.get(saslMechanism)).append(" required");
    appendOption(jaas, KafkaPasswordCallbackHandler.USERNAME_OPTION, username);
    if (passwordFile != null) {
      appendOption(jaas, KafkaPasswordCallbackHandler.PASSWORD_FILE_OPTION, passwordFile);
    } else {
      appendOption(
          jaas,
          KafkaPasswordCallbackHandler.PASSWORD_ENVIRONMENT_VARIABLE_OPTION,
          passwordEnvironmentVariable);
    }
    return jaas.append(';').toString();
  }

  /** A JAAS option as a quoted string; Kafka's JAAS parser unescapes \\ and \" inside quotes. */
  private static void appendOption(StringBuilder jaas, String name, String value) {
    jaas.append(' ')
        .append(name)
        .append("=\"")
        .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
        .append('"');
  }

  /**
   * The servers and how they are reached, e.g. {@code kafka:9093 (SASL_SSL, SCRAM-SHA-512 as user
   * feature-job, password from file /etc/kafka/password, CA certificates from /etc/kafka/ca.pem)};
   * never a password.
   */
  @Override
  public String toString() {
    List<String> settings = new ArrayList<>();
    settings.add(securityProtocol.name);
    if (saslMechanism != null) {
      settings.add(saslMechanism + " as user " + username);
    }
    if (passwordFile != null) {
      settings.add("password from file " + passwordFile);
    }
    if (passwordEnvironmentVariable != null) {
      settings.add("password from $" + passwordEnvironmentVariable);
    }
    if (caCertificateFile != null) {
      settings.add("CA certificates from " + caCertificateFile);
    }
    return bootstrapServers + " (" + String.join(", ", settings) + ")";
  }

  /** Options of a {@link KafkaConnection}; only the bootstrap servers are required. */
  public static final class Builder {
    private String bootstrapServers;
    private SecurityProtocol securityProtocol = SecurityProtocol.PLAINTEXT;
    private String saslMechanism;
    private String username;
    private String passwordFile;
    private String passwordEnvironmentVariable;
    private String caCertificateFile;

    private Builder() {}

    /** e.g. {@code kafka-0:9093,kafka-1:9093}. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = requireNotEmpty(bootstrapServers, "bootstrapServers");
      return this;
    }

    /** PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL. */
    public Builder securityProtocol(SecurityProtocol securityProtocol) {
      this.securityProtocol = Objects.requireNonNull(securityProtocol, "securityProtocol");
      return this;
    }

    /**
     * PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (the default for a SASL protocol), in any case.
     *
     * @throws IllegalArgumentException for any other mechanism; the message lists these
     */
    public Builder saslMechanism(String saslMechanism) {
      String mechanism = requireNotEmpty(saslMechanism, "saslMechanism").toUpperCase(Locale.ROOT);
      if (!LOGIN_MODULES.containsKey(mechanism)) {
        throw new IllegalArgumentException(
            "'"
                + saslMechanism
                + "' is no SASL mechanism that logs in with a user name and password; use one of "
                + String.join(", ", SASL_MECHANISMS));
      }
      this.saslMechanism = mechanism;
      return this;
    }

    /** The SASL user to log in as. */
    public Builder username(String username) {
      this.username = requireNotEmpty(username, "username");
      return this;
    }

    /**
     * A file that holds the password, e.g. a key of a Kubernetes Secret mounted as a volume. It is
     * read at every login, on the machine that connects (the JobManager and every TaskManager).
     */
    public Builder passwordFile(Path file) {
      Objects.requireNonNull(file, "passwordFile");
      if (passwordEnvironmentVariable != null) {
        throw new IllegalArgumentException(
            "The Kafka password comes from $"
                + passwordEnvironmentVariable
                + " already; give a password file or an environment variable, not both");
      }
      this.passwordFile = file.toString();
      return this;
    }

    /**
     * An environment variable that holds the password, e.g. {@value #PASSWORD_ENVIRONMENT_VARIABLE}
     * set from a Kubernetes Secret. It is read at every login, in the process that connects (the
     * JobManager and every TaskManager).
     */
    public Builder passwordEnvironmentVariable(String name) {
      requireNotEmpty(name, "passwordEnvironmentVariable");
      if (passwordFile != null) {
        throw new IllegalArgumentException(
            "The Kafka password comes from the file "
                + passwordFile
                + " already; give a password file or an environment variable, not both");
      }
      this.passwordEnvironmentVariable = name;
      return this;
    }

    /**
     * A PEM file with the CA certificates to trust for SSL and SASL_SSL, instead of the JVM's trust
     * store: the CA of a private Kafka deployment.
     */
    public Builder caCertificateFile(Path file) {
      this.caCertificateFile = Objects.requireNonNull(file, "caCertificateFile").toString();
      return this;
    }

    /**
     * @throws IllegalStateException if the bootstrap servers are missing, or settings contradict
     *     the protocol: SASL without a user or password, a user, password or mechanism without
     *     SASL, a CA file without TLS
     */
    public KafkaConnection build() {
      if (bootstrapServers == null) {
        throw new IllegalStateException("The Kafka bootstrap servers are not set; e.g. kafka:9092");
      }
      boolean sasl =
          securityProtocol == SecurityProtocol.SASL_PLAINTEXT
              || securityProtocol == SecurityProtocol.SASL_SSL;
      boolean tls =
          securityProtocol == SecurityProtocol.SSL || securityProtocol == SecurityProtocol.SASL_SSL;
      boolean passwordGiven = passwordFile != null || passwordEnvironmentVariable != null;
      if (sasl && (username == null || !passwordGiven)) {
        throw new IllegalStateException(
            "Kafka's "
                + securityProtocol.name
                + " needs a user and a password file or environment variable");
      }
      if (!sasl && (username != null || passwordGiven || saslMechanism != null)) {
        throw new IllegalStateException(
            "A Kafka user, password or SASL mechanism is given but the security protocol is "
                + securityProtocol.name
                + "; use SASL_SSL (or SASL_PLAINTEXT) to log in");
      }
      if (!tls && caCertificateFile != null) {
        throw new IllegalStateException(
            "A CA certificate file is given but the Kafka security protocol "
                + securityProtocol.name
                + " does not use TLS; use SASL_SSL or SSL");
      }
      String mechanism = sasl && saslMechanism == null ? DEFAULT_SASL_MECHANISM : saslMechanism;
      return new KafkaConnection(this, mechanism);
    }

    private static String requireNotEmpty(String value, String name) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }
  }
}
