package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The Kafka options on a command line, the client properties they make, and the login. */
class KafkaConnectionOptionsTest {

  private final StringWriter err = new StringWriter();
  private final ConnectCommand command = new ConnectCommand();

  @TempDir Path dir;

  @Test
  void everyOptionReachesTheKafkaPropertiesOfTheJob() {
    FeatureJob job = new FeatureJob();
    new CommandLine(job)
        .parseArgs(
            "--contracts",
            "/opt/freshet/contracts",
            "--bootstrap-servers",
            "kafka-0:9093,kafka-1:9093",
            "--delta-path",
            "/d",
            "--kafka-security-protocol",
            "sasl_ssl",
            "--kafka-sasl-mechanism",
            "scram-sha-256",
            "--kafka-username",
            "feature-job",
            "--kafka-password-file",
            "/etc/kafka/password",
            "--kafka-tls-ca-file",
            "/etc/kafka/ca.pem");

    KafkaConnection kafka = job.config().kafka();

    assertThat(kafka.bootstrapServers()).isEqualTo("kafka-0:9093,kafka-1:9093");
    assertThat(kafka.securityProperties())
        .containsExactly(
            entry("security.protocol", "SASL_SSL"),
            entry("ssl.truststore.type", "PEM"),
            entry("ssl.truststore.location", "/etc/kafka/ca.pem"),
            entry("sasl.mechanism", "SCRAM-SHA-256"),
            entry(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"feature-job\" freshetPasswordFile=\"/etc/kafka/password\";"),
            entry(
                "sasl.client.callback.handler.class",
                "dev.freshet.job.KafkaPasswordCallbackHandler"));
    assertThat(kafka)
        .hasToString(
            "kafka-0:9093,kafka-1:9093 (SASL_SSL, SCRAM-SHA-256 as user feature-job, password"
                + " from file /etc/kafka/password, CA certificates from /etc/kafka/ca.pem)");
  }

  @Test
  void withoutOptionsTheClientsSpeakPlainTextWithoutLogin() {
    assertThat(execute("--bootstrap-servers", "kafka:9092")).isZero();

    assertThat(command.connection.securityProperties()).isEmpty();
    assertThat(command.connection.clientProperties()).containsOnlyKeys("bootstrap.servers");
    assertThat(command.connection).hasToString("kafka:9092 (PLAINTEXT)");
  }

  @Test
  void saslWithoutAMechanismLogsInWithScramSha512AndAPasswordFromTheEnvironment() {
    assertThat(
            execute(
                "--bootstrap-servers",
                "kafka:9093",
                "--kafka-security-protocol",
                "SASL_SSL",
                "--kafka-username",
                "feature-job",
                "--kafka-password-env",
                "FRESHET_KAFKA_PASSWORD"))
        .isZero();

    assertThat(command.connection.securityProperties())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"feature-job\""
                + " freshetPasswordEnvironmentVariable=\"FRESHET_KAFKA_PASSWORD\";")
        .doesNotContainKey("ssl.truststore.location");
  }

  @Test
  void plainMechanismUsesPlainLoginModule() {
    execute(
        "--bootstrap-servers",
        "kafka:9093",
        "--kafka-security-protocol",
        "SASL_PLAINTEXT",
        "--kafka-sasl-mechanism",
        "PLAIN",
        "--kafka-username",
        "u",
        "--kafka-password-file",
        "/p");

    assertThat(command.connection.securityProperties().get("sasl.jaas.config"))
        .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required ");
  }

  @Test
  void quotesAndBackslashesInOptionsSurviveKafkasJaasParser() {
    String oddUser = "a\"b\\c";
    Path oddFile = Path.of("/secrets/we\"ird\\dir/password");
    KafkaConnection connection =
        KafkaConnection.builder()
            .bootstrapServers("kafka:9093")
            .securityProtocol(SecurityProtocol.SASL_SSL)
            .username(oddUser)
            .passwordFile(oddFile)
            .build();

    Map<String, Object> options = loginOptions(connection);

    assertThat(options)
        .containsEntry(KafkaPasswordCallbackHandler.USERNAME_OPTION, oddUser)
        .containsEntry(KafkaPasswordCallbackHandler.PASSWORD_FILE_OPTION, oddFile.toString());
  }

  @Test
  void loginGivesTheUserAndTheFilesPasswordWithoutItsLineBreakReadAtEveryLogin() throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("password"), "first-secret\n");
    KafkaPasswordCallbackHandler handler = configuredHandler(passwordFile);

    assertThat(login(handler)).containsExactly("feature-job", "first-secret");
    Files.writeString(passwordFile, "rotated-secret\r\n");
    assertThat(login(handler)).containsExactly("feature-job", "rotated-secret");
  }

  @Test
  void missingOrEmptyPasswordFileFailsTheLoginNamingTheFile() throws Exception {
    Path passwordFile = dir.resolve("absent");
    KafkaPasswordCallbackHandler handler = configuredHandler(passwordFile);

    assertThatThrownBy(() -> login(handler))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "Cannot read the Kafka password: the password file "
                + passwordFile
                + " does not exist");
    Files.writeString(passwordFile, "\n");
    assertThatThrownBy(() -> login(handler))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "Cannot read the Kafka password: the password file " + passwordFile + " is empty");
  }

  @Test
  void givenOptionsBecomeArgumentsForAnotherProgram() {
    execute(
        "--bootstrap-servers",
        "kafka:9093",
        "--kafka-security-protocol",
        "sasl_ssl",
        "--kafka-username",
        "feature-job",
        "--kafka-password-file",
        "/etc/kafka/password",
        "--kafka-tls-ca-file",
        "/etc/kafka/ca.pem");

    assertThat(command.kafkaOptions.arguments())
        .containsExactly(
            "--kafka-security-protocol",
            "SASL_SSL",
            "--kafka-username",
            "feature-job",
            "--kafka-password-file",
            "/etc/kafka/password",
            "--kafka-tls-ca-file",
            "/etc/kafka/ca.pem");
  }

  @Test
  void saslWithoutAPasswordIsAUsageError() {
    assertThat(
            execute(
                "--bootstrap-servers",
                "kafka:9093",
                "--kafka-security-protocol",
                "SASL_SSL",
                "--kafka-username",
                "feature-job"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Kafka's SASL_SSL needs a user and a password file or environment variable");
  }

  @Test
  void credentialsWithoutSaslAreAUsageErrorNamingTheProtocolToUse() {
    assertThat(
            execute(
                "--bootstrap-servers",
                "kafka:9092",
                "--kafka-username",
                "feature-job",
                "--kafka-password-file",
                "/etc/kafka/password"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "A Kafka user, password or SASL mechanism is given but the security protocol is"
                + " PLAINTEXT; use SASL_SSL (or SASL_PLAINTEXT) to log in");
  }

  @Test
  void caFileWithoutTlsIsAUsageError() {
    assertThat(
            execute(
                "--bootstrap-servers",
                "kafka:9092",
                "--kafka-security-protocol",
                "SASL_PLAINTEXT",
                "--kafka-username",
                "u",
                "--kafka-password-env",
                "V",
                "--kafka-tls-ca-file",
                "/etc/kafka/ca.pem"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "A CA certificate file is given but the Kafka security protocol SASL_PLAINTEXT does"
                + " not use TLS; use SASL_SSL or SSL");
  }

  @Test
  void unknownProtocolsAndMechanismsAreUsageErrorsListingTheKnownOnes() {
    assertThat(execute("--bootstrap-servers", "k:9092", "--kafka-security-protocol", "TLS"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "'TLS' is no Kafka security protocol; use PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");

    assertThat(
            execute(
                "--bootstrap-servers",
                "k:9092",
                "--kafka-security-protocol",
                "SASL_SSL",
                "--kafka-sasl-mechanism",
                "GSSAPI"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "'GSSAPI' is no SASL mechanism that logs in with a user name and password; use one of"
                + " PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
  }

  /** The options of the connection's login module, as Kafka's own JAAS parser reads them. */
  private static Map<String, Object> loginOptions(KafkaConnection connection) {
    List<AppConfigurationEntry> entries = loginEntries(connection);
    assertThat(entries).hasSize(1);
    return Map.copyOf(entries.get(0).getOptions());
  }

  private static List<AppConfigurationEntry> loginEntries(KafkaConnection connection) {
    Map<String, String> properties = connection.securityProperties();
    return JaasContext.loadClientContext(
            Map.of(
                SaslConfigs.SASL_JAAS_CONFIG,
                new Password(properties.get(SaslConfigs.SASL_JAAS_CONFIG))))
        .configurationEntries();
  }

  private static KafkaPasswordCallbackHandler configuredHandler(Path passwordFile) {
    KafkaConnection connection =
        KafkaConnection.builder()
            .bootstrapServers("kafka:9093")
            .securityProtocol(SecurityProtocol.SASL_SSL)
            .username("feature-job")
            .passwordFile(passwordFile)
            .build();
    KafkaPasswordCallbackHandler handler = new KafkaPasswordCallbackHandler();
    handler.configure(Map.of(), "SCRAM-SHA-512", loginEntries(connection));
    return handler;
  }

  /** What a SCRAM client asks the handler for, in its order: the name, extensions, the password. */
  private static List<String> login(KafkaPasswordCallbackHandler handler) throws Exception {
    NameCallback name = new NameCallback("Name:");
    PasswordCallback password = new PasswordCallback("Password:", false);
    handler.handle(new Callback[] {name});
    handler.handle(new Callback[] {new ScramExtensionsCallback()});
    handler.handle(new Callback[] {password});
    return List.of(name.getName(), new String(password.getPassword()));
  }

  private int execute(String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Command(name = "connect")
  static final class ConnectCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true)
    String bootstrapServers;

    @Mixin KafkaConnectionOptions kafkaOptions;

    KafkaConnection connection;

    @Override
    public Integer call() {
      connection = kafkaOptions.connection(bootstrapServers);
      return 0;
    }
  }
}
