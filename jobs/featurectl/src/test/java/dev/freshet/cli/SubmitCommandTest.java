package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** What {@code featurectl submit} passes on to the job, before anything is uploaded. */
class SubmitCommandTest {

  @Test
  void kafkaAndRedisConnectionOptionsArePassedOnByNameNeverAsPasswords() {
    SubmitCommand submit = new SubmitCommand();
    new CommandLine(submit)
        .parseArgs(
            "--bootstrap-servers",
            "kafka:9093",
            "--kafka-security-protocol",
            "SASL_SSL",
            "--kafka-username",
            "feature-job",
            "--kafka-password-file",
            "/etc/freshet/kafka/password",
            "--kafka-tls-ca-file",
            "/etc/freshet/kafka/ca.pem",
            "--delta-path",
            "s3a://freshet/delta",
            "--redis-uri",
            "rediss://redis:6380",
            "--redis-password-env",
            "FRESHET_REDIS_PASSWORD",
            "--",
            "--idleness-ms",
            "30000");

    assertThat(submit.jobArguments())
        .containsExactly(
            "--bootstrap-servers",
            "kafka:9093",
            "--kafka-security-protocol",
            "SASL_SSL",
            "--kafka-username",
            "feature-job",
            "--kafka-password-file",
            "/etc/freshet/kafka/password",
            "--kafka-tls-ca-file",
            "/etc/freshet/kafka/ca.pem",
            "--delta-path",
            "s3a://freshet/delta",
            "--redis-uri",
            "rediss://redis:6380",
            "--redis-password-env",
            "FRESHET_REDIS_PASSWORD",
            "--idleness-ms",
            "30000");
  }

  @Test
  void contradictoryKafkaOptionsAreAUsageErrorBeforeAnythingIsUploaded() {
    SubmitCommand submit = new SubmitCommand();
    new CommandLine(submit)
        .parseArgs(
            "--bootstrap-servers",
            "kafka:9092",
            "--kafka-password-file",
            "/etc/freshet/kafka/password",
            "--delta-path",
            "/d");

    assertThatThrownBy(submit::jobArguments)
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith(
            "A Kafka user, password or SASL mechanism is given but the security protocol is"
                + " PLAINTEXT");
  }
}
