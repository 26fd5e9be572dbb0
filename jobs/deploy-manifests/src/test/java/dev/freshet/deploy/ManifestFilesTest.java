package dev.freshet.deploy;

import static dev.freshet.deploy.RepositoryFiles.K8S;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * The files under k8s/ as written, before kustomize: each resource and strategic-merge patch binds
 * strictly to its model class, each JSON 6902 patch is a list of operations, every YAML file is
 * read by a kustomization, and the kustomizations keep to what kustomize 2.0.3 renders.
 */
class ManifestFilesTest {

  private static final List<Kustomizations.Kustomization> KUSTOMIZATIONS =
      Kustomizations.reachableFrom(K8S);

  private final StrictManifestReader reader = new StrictManifestReader();

  /** A JSON 6902 operation; records have no any-setter, so unknown keys fail. */
  record PatchOperation(String op, String path, JsonNode value, String from) {}

  static Stream<Path> resourceFilesAndStrategicMergePatches() {
    return KUSTOMIZATIONS.stream()
        .flatMap(k -> Stream.concat(k.resources().stream(), k.strategicMergePatches().stream()));
  }

  static Stream<Path> json6902Patches() {
    return KUSTOMIZATIONS.stream().flatMap(k -> k.json6902Patches().stream());
  }

  @ParameterizedTest
  @MethodSource("resourceFilesAndStrategicMergePatches")
  void bindsStrictlyToTheModelOfItsKind(Path file) {
    List<Manifest> manifests = reader.read(file);

    assertThat(manifests).allSatisfy(m -> assertThat(m.resource()).isNotNull());
  }

  @ParameterizedTest
  @MethodSource("json6902Patches")
  void isAListOfJsonPatchOperations(Path file) {
    PatchOperation[] operations =
        reader.readValue(RepositoryFiles.read(file), PatchOperation[].class, file.toString());

    assertThat(operations).isNotEmpty();
    assertThat(operations)
        .allSatisfy(
            operation -> {
              assertThat(operation.op()).isIn("add", "remove", "replace", "move", "copy", "test");
              assertThat(operation.path()).startsWith("/");
            });
  }

  @Test
  void baseDeploysTheJobTheServerAndItsMonitoring() {
    Path base = K8S.resolve("base");
    List<String> kinds =
        KUSTOMIZATIONS.stream()
            .filter(k -> k.directory().equals(base.normalize()))
            .flatMap(k -> k.resources().stream())
            .flatMap(file -> reader.read(file).stream())
            .map(Manifest::kind)
            .toList();

    assertThat(kinds)
        .containsExactlyInAnyOrder("FlinkDeployment", "Deployment", "Service", "PodMonitor");
  }

  @Test
  void everyYamlFileUnderK8sIsReadByAKustomization() throws IOException {
    Set<Path> read = new HashSet<>();
    KUSTOMIZATIONS.forEach(
        k -> {
          read.add(k.file());
          read.addAll(k.files());
        });
    List<Path> unread;
    try (Stream<Path> files = Files.walk(K8S)) {
      unread =
          files
              .map(Path::normalize)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .filter(f -> !read.contains(f))
              .toList();
    }

    assertThat(unread).as("YAML files no kustomization renders (and no test checks)").isEmpty();
  }

  @Test
  void kustomizationsUseOnlyWhatKubectl120RendersToo() {
    assertThat(KUSTOMIZATIONS)
        .as("base, the three overlays, contracts/ and grafana/ at least")
        .hasSizeGreaterThanOrEqualTo(6);
    assertThat(KUSTOMIZATIONS)
        .allSatisfy(
            k -> {
              List<String> fields = new ArrayList<>();
              k.content().fieldNames().forEachRemaining(fields::add);
              assertThat(fields).as(k.file().toString()).isSubsetOf(Kustomizations.PORTABLE_FIELDS);
              // kustomize 2.0.3 takes only files as resources, other kustomizations as bases
              assertThat(k.resources()).as(k.file() + " resources").allMatch(Files::isRegularFile);
              assertThat(k.bases()).as(k.file() + " bases").allMatch(Files::isDirectory);
            });
  }

  @Test
  void contractsKustomizationListsExactlyTheContracts() {
    JsonNode generator =
        Kustomizations.reachableFrom(RepositoryFiles.CONTRACTS)
            .get(0)
            .content()
            .path("configMapGenerator");
    List<String> listed = new ArrayList<>();
    generator.get(0).path("files").forEach(file -> listed.add(file.asText()));
    List<String> contracts =
        RepositoryFiles.contractFiles().stream().map(f -> f.getFileName().toString()).toList();

    assertThat(generator).hasSize(1);
    assertThat(listed)
        .as("files of contracts/Kustomization (kustomize has no globs: list each contract)")
        .containsExactlyInAnyOrderElementsOf(contracts);
  }

  @Test
  void baseFlinkConfigurationHoldsOnlyOptionsOfTheProjectsFlink() {
    FlinkDeployment job = baseJob().as(FlinkDeployment.class);

    assertThat(FlinkOptions.flinkVersion()).isEqualTo(projectFlinkVersion());
    assertThat(new FlinkOptions().problems(job.getSpec().getFlinkConfiguration())).isEmpty();
  }

  /** A Flink upgrade in pom.xml must reach the image, the flinkVersion and the s3 plugin. */
  @Test
  void imageFlinkVersionAndS3PluginFollowTheProjectsFlink() {
    String flink = projectFlinkVersion();
    String[] majorMinor = flink.split("\\.");
    Matcher from =
        Pattern.compile("(?m)^FROM flink:(\\S+)-java17$")
            .matcher(RepositoryFiles.read(K8S.resolve("images/feature-job/Dockerfile")));
    Manifest job = baseJob();
    List<EnvVar> env =
        job.as(FlinkDeployment.class)
            .getSpec()
            .getPodTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getEnv();

    assertThat(from.find()).as("FROM flink:<version>-java17 in the job's Dockerfile").isTrue();
    assertThat(from.group(1)).isEqualTo(flink);
    assertThat(job.tree().at("/spec/flinkVersion").asText())
        .isEqualTo("v" + majorMinor[0] + "_" + majorMinor[1]);
    assertThat(env)
        .filteredOn(e -> e.getName().equals("ENABLE_BUILT_IN_PLUGINS"))
        .singleElement()
        .extracting(EnvVar::getValue)
        .isEqualTo("flink-s3-fs-presto-" + flink + ".jar");
  }

  private Manifest baseJob() {
    return reader.read(K8S.resolve("base/feature-job.yaml")).get(0);
  }

  private static String projectFlinkVersion() {
    try {
      Document pom =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(RepositoryFiles.PARENT_POM.toFile());
      return pom.getElementsByTagName("flink.version").item(0).getTextContent().trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read flink.version from the parent pom", e);
    }
  }
}
