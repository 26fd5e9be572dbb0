package dev.freshet.deploy;

import static dev.freshet.deploy.RepositoryFiles.K8S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strict reader refuses what the lenient models would accept. Each case changes one thing in a
 * real manifest of k8s/ (which itself parses, see {@link ManifestFilesTest}) and expects a message
 * naming what is wrong.
 */
class StrictManifestReaderTest {

  private static final Path JOB = K8S.resolve("base/feature-job.yaml");
  private static final Path SERVER = K8S.resolve("base/feature-server.yaml");
  private static final Path POD_MONITOR = K8S.resolve("base/pod-monitor.yaml");
  private static final Path TOPICS = K8S.resolve("overlays/strimzi-topics/kafka-topics.yaml");

  private final StrictManifestReader reader = new StrictManifestReader();

  static Stream<Arguments> brokenManifests() {
    return Stream.of(
        argumentSet(
            "typo in the operator's JobSpec",
            JOB,
            "    jarURI:",
            "    jarUri:",
            "Unrecognized field \"jarUri\""),
        argumentSet(
            "typo in the operator's FlinkDeploymentSpec",
            JOB,
            "  podTemplate:",
            "  podTemplat:",
            "Unrecognized field \"podTemplat\""),
        argumentSet(
            "unknown field in the FlinkDeployment's pod template container",
            JOB,
            "          volumeMounts:",
            "          volumeMountz:",
            "Unrecognized field \"volumeMountz\""),
        argumentSet(
            "unknown field in a Deployment container",
            SERVER,
            "          readinessProbe:",
            "          readinessProbes:",
            "Unrecognized field \"readinessProbes\""),
        argumentSet(
            "unquoted number in flinkConfiguration",
            JOB,
            "taskmanager.numberOfTaskSlots: \"2\"",
            "taskmanager.numberOfTaskSlots: 2",
            "taskmanager.numberOfTaskSlots"),
        argumentSet(
            "unquoted boolean in flinkConfiguration",
            JOB,
            "s3.path.style.access: \"false\"",
            "s3.path.style.access: false",
            "s3.path.style.access"),
        argumentSet(
            "nested map in flinkConfiguration",
            JOB,
            "    state.backend.type: \"rocksdb\"",
            "    state.backend:\n      type: rocksdb",
            "state.backend"),
        argumentSet(
            "string where the API wants a number",
            SERVER,
            "  replicas: 1",
            "  replicas: \"1\"",
            "replicas"),
        argumentSet(
            "upgradeMode outside the operator's enum",
            JOB,
            "upgradeMode: savepoint",
            "upgradeMode: Savepoint",
            "Savepoint"),
        argumentSet(
            "duplicate key",
            JOB,
            "  flinkVersion: v2_2\n",
            "  flinkVersion: v2_2\n  image: flink:2.2.1-java17\n",
            "Duplicate field 'image'"),
        argumentSet(
            "misspelt kind",
            JOB,
            "kind: FlinkDeployment",
            "kind: FlinkDeploymnt",
            "kind 'FlinkDeploymnt'"),
        argumentSet(
            "apiVersion the kind does not have",
            JOB,
            "apiVersion: flink.apache.org/v1beta1",
            "apiVersion: flink.apache.org/v1",
            "must be 'flink.apache.org/v1beta1'"),
        argumentSet(
            "a Flink version other than the project's",
            JOB,
            "flinkVersion: v2_2",
            "flinkVersion: v1_20",
            "spec.flinkVersion is 'v1_20'"),
        argumentSet(
            "typo in a PodMonitor endpoint",
            POD_MONITOR,
            "      interval: 15s",
            "      intervall: 15s",
            "Unrecognized field \"intervall\""),
        argumentSet(
            "typo in a KafkaTopic spec",
            TOPICS,
            "  config:",
            "  configs:",
            "Unrecognized field \"configs\""));
  }

  @ParameterizedTest
  @MethodSource("brokenManifests")
  void refusesNamingTheProblem(Path file, String original, String broken, String message) {
    String yaml = RepositoryFiles.read(file);
    assertThat(yaml).as("%s still holds what this case breaks", file).contains(original);
    String brokenYaml =
        yaml.replaceFirst(Pattern.quote(original), Matcher.quoteReplacement(broken));

    assertThat(reader.read(yaml, file.toString())).isNotEmpty();
    assertThatThrownBy(() -> reader.read(brokenYaml, file + " (broken)"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining(message);
  }
}
