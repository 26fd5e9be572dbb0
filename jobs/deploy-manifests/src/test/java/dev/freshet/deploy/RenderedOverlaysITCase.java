package dev.freshet.deploy;

import static dev.freshet.deploy.RepositoryFiles.K8S;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each overlay as {@code kubectl kustomize} renders it, which is what {@code kubectl apply -k}
 * sends: it binds strictly like the files do, and the things kustomize could get wrong without
 * failing hold: the generated contracts ConfigMap is the one the job mounts, the dashboard arrives
 * unchanged, secrets stay references, images, namespaces and sizes are the overlay's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenderedOverlaysITCase {

  /** What docs/deploy.md tells to create before the first apply. */
  private static final Set<String> SECRETS = Set.of("freshet-s3", "freshet-redis");

  private static final Pattern SECRET_LOOKING_NAME =
      Pattern.compile("(?i).*(pass|secret|key|token|credential).*");
  private static final Pattern URI_WITH_CREDENTIALS = Pattern.compile("[a-z0-9+.-]+://[^/@\\s]+@");

  private static final String CONTRACTS_CONFIG_MAP = "freshet-contracts";
  private static final String DASHBOARD_LABEL = "grafana_dashboard";

  /** The overlays that deploy Freshet, with what each must end up with. */
  enum Overlay {
    DEV("dev", "freshet-dev", "dev", 1, 1),
    PROD("prod", "freshet", "0.1.0", 8, 2);

    final String directory;
    final String namespace;
    final String imageTag;
    final int parallelism;
    final int jobManagers;

    Overlay(String directory, String namespace, String imageTag, int parallelism, int jobManagers) {
      this.directory = directory;
      this.namespace = namespace;
      this.imageTag = imageTag;
      this.parallelism = parallelism;
      this.jobManagers = jobManagers;
    }
  }

  private final StrictManifestReader reader = new StrictManifestReader();
  private final Map<Overlay, List<Manifest>> rendered = new HashMap<>();
  private List<Manifest> topics;

  @BeforeAll
  void render() {
    Kubectl kubectl = Kubectl.locate();
    for (Overlay overlay : Overlay.values()) {
      rendered.put(overlay, renderAndRead(kubectl, overlay.directory));
    }
    topics = renderAndRead(kubectl, "strimzi-topics");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void deploysTheJobTheServerItsMonitoringAndTheGeneratedConfigMaps(Overlay overlay) {
    assertThat(rendered.get(overlay))
        .extracting(Manifest::kind)
        .containsExactlyInAnyOrder(
            "FlinkDeployment", "Deployment", "Service", "PodMonitor", "ConfigMap", "ConfigMap");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void putsEveryResourceInTheOverlaysNamespace(Overlay overlay) {
    assertThat(rendered.get(overlay))
        .extracting(m -> m.resource().getMetadata().getNamespace())
        .containsOnly(overlay.namespace);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void runsTheOverlaysImages(Overlay overlay) {
    List<Manifest> manifests = rendered.get(overlay);
    List<Container> serverContainers = allContainers(podSpec(one(manifests, Deployment.class)));

    assertThat(one(manifests, FlinkDeployment.class).getSpec().getImage())
        .isEqualTo("ghcr.io/freshet/feature-job:" + overlay.imageTag);
    assertThat(serverContainers)
        .extracting(Container::getImage)
        .containsOnly("ghcr.io/freshet/feature-server:" + overlay.imageTag);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void mountsTheGeneratedContractsConfigMapHoldingExactlyTheContracts(Overlay overlay) {
    List<Manifest> manifests = rendered.get(overlay);
    FlinkDeploymentSpec job = one(manifests, FlinkDeployment.class).getSpec();
    Deployment server = one(manifests, Deployment.class);
    String mounted = configMapOfVolume(job.getPodTemplate().getSpec(), "contracts");
    ConfigMap contracts = configMapNamed(manifests, mounted);
    Map<String, String> expected =
        RepositoryFiles.contractFiles().stream()
            .collect(Collectors.toMap(f -> f.getFileName().toString(), RepositoryFiles::read));

    // The hash suffix makes changed contracts a changed spec: a savepoint upgrade.
    assertThat(mounted).startsWith(CONTRACTS_CONFIG_MAP + "-").isNotEqualTo(CONTRACTS_CONFIG_MAP);
    assertThat(configMapOfVolume(podSpec(server), "contracts")).isEqualTo(mounted);
    assertThat(contracts.getData()).isEqualTo(expected);
    assertThat(contracts.getBinaryData()).isNullOrEmpty();
    assertThat(argumentAfter(job.getJob().getArgs(), "--contracts"))
        .isEqualTo(mountPath(mainContainer(job), "contracts"));
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void shipsTheDashboardUnchangedForGrafanasSidecar(Overlay overlay) {
    List<ConfigMap> dashboards =
        all(rendered.get(overlay), ConfigMap.class).stream()
            .filter(c -> "1".equals(labels(c).get(DASHBOARD_LABEL)))
            .toList();

    assertThat(dashboards).hasSize(1);
    assertThat(dashboards.get(0).getData()).containsOnlyKeys("freshet-freshness.json");
    assertThat(dashboards.get(0).getData().get("freshet-freshness.json").getBytes(UTF_8))
        .isEqualTo(RepositoryFiles.read(RepositoryFiles.DASHBOARD).getBytes(UTF_8));
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void upgradesTheJobThroughSavepointsWithHighAvailability(Overlay overlay) {
    FlinkDeploymentSpec job = one(rendered.get(overlay), FlinkDeployment.class).getSpec();
    Map<String, String> configuration = job.getFlinkConfiguration();

    assertThat(job.getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
    assertThat(job.getJob().getState()).isEqualTo(JobState.RUNNING);
    assertThat(configuration.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
    assertThat(configuration.get("execution.checkpointing.dir")).startsWith("s3://");
    assertThat(configuration.get("high-availability.type")).isEqualTo("kubernetes");
    assertThat(configuration.get("high-availability.storageDir")).startsWith("s3://");
    assertThat(job.getJob().getParallelism()).isEqualTo(overlay.parallelism);
    assertThat(job.getJobManager().getReplicas()).isEqualTo(overlay.jobManagers);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void configuresOnlyOptionsOfTheProjectsFlinkWithValuesTheyParse(Overlay overlay) {
    FlinkDeploymentSpec job = one(rendered.get(overlay), FlinkDeployment.class).getSpec();

    assertThat(new FlinkOptions().problems(job.getFlinkConfiguration())).isEmpty();
    assertThat(List.of(job.getJobManager().getResource(), job.getTaskManager().getResource()))
        .allSatisfy(resource -> MemorySize.parse(resource.getMemory()));
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void onlyReferencesSecrets(Overlay overlay) {
    List<Manifest> manifests = rendered.get(overlay);
    FlinkDeploymentSpec job = one(manifests, FlinkDeployment.class).getSpec();
    List<PodSpec> pods =
        List.of(job.getPodTemplate().getSpec(), podSpec(one(manifests, Deployment.class)));
    List<Container> containers = pods.stream().flatMap(p -> allContainers(p).stream()).toList();
    List<EnvVar> secretLookingEnv =
        containers.stream()
            .flatMap(c -> c.getEnv().stream())
            .filter(e -> SECRET_LOOKING_NAME.matcher(e.getName()).matches())
            .toList();
    List<String> arguments = new ArrayList<>(Arrays.asList(job.getJob().getArgs()));
    containers.forEach(c -> arguments.addAll(c.getCommand()));
    containers.forEach(c -> arguments.addAll(c.getArgs()));

    assertThat(manifests).extracting(Manifest::kind).doesNotContain("Secret");
    assertThat(secretLookingEnv).isNotEmpty();
    assertThat(secretLookingEnv)
        .allSatisfy(
            e -> {
              assertThat(e.getValue()).as(e.getName()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNotNull();
            });
    assertThat(arguments).noneMatch(a -> URI_WITH_CREDENTIALS.matcher(a).find());
    assertThat(referencedSecrets(pods)).isEqualTo(SECRETS);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void podMonitorScrapesThePortOfFlinksPrometheusReporter(Overlay overlay) {
    List<Manifest> manifests = rendered.get(overlay);
    FlinkDeployment job = one(manifests, FlinkDeployment.class);
    PodMonitor monitor = one(manifests, PodMonitor.class);
    String reporterPort = job.getSpec().getFlinkConfiguration().get("metrics.reporter.prom.port");

    assertThat(monitor.getSpec().getSelector().getMatchLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("app", job.getMetadata().getName(), "type", "flink-native-kubernetes"));
    assertThat(monitor.getSpec().getPodMetricsEndpoints())
        .extracting(PodMetricsEndpoint::getPort)
        .singleElement()
        .satisfies(
            port ->
                assertThat(mainContainer(job.getSpec()).getPorts())
                    .filteredOn(p -> port.equals(p.getName()))
                    .extracting(ContainerPort::getContainerPort)
                    .containsExactly(Integer.valueOf(reporterPort)));
  }

  @Test
  void strimziTopicsAreTheJobsTopicsWithDeadLettersKeptLongest() {
    Map<String, KafkaTopic> byName =
        all(topics, KafkaTopic.class).stream()
            .collect(Collectors.toMap(t -> t.getMetadata().getName(), Function.identity()));
    int prodParallelism =
        one(rendered.get(Overlay.PROD), FlinkDeployment.class).getSpec().getJob().getParallelism();

    assertThat(byName).containsOnlyKeys("behaviour-events", "file-events", "freshet-dead-letters");
    assertThat(byName.values())
        .allSatisfy(
            t -> {
              assertThat(t.getMetadata().getNamespace()).isEqualTo("kafka");
              assertThat(labels(t)).containsKey("strimzi.io/cluster");
            });
    // A source subtask beyond the partition count would sit idle.
    assertThat(Stream.of("behaviour-events", "file-events").map(byName::get))
        .allSatisfy(
            t -> assertThat(t.getSpec().getPartitions()).isGreaterThanOrEqualTo(prodParallelism));
    assertThat(retentionMs(byName.get("freshet-dead-letters")))
        .isGreaterThan(retentionMs(byName.get("behaviour-events")))
        .isGreaterThan(retentionMs(byName.get("file-events")));
  }

  private List<Manifest> renderAndRead(Kubectl kubectl, String overlay) {
    Path directory = K8S.resolve("overlays").resolve(overlay).toAbsolutePath().normalize();
    return reader.read(kubectl.kustomize(directory), "kubectl kustomize " + directory);
  }

  private static long retentionMs(KafkaTopic topic) {
    return ((Number) topic.getSpec().getConfig().get("retention.ms")).longValue();
  }

  private static <T extends HasMetadata> List<T> all(List<Manifest> manifests, Class<T> type) {
    return manifests.stream()
        .map(Manifest::resource)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  private static <T extends HasMetadata> T one(List<Manifest> manifests, Class<T> type) {
    List<T> found = all(manifests, type);
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static ConfigMap configMapNamed(List<Manifest> manifests, String name) {
    return all(manifests, ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in the output"));
  }

  private static Map<String, String> labels(HasMetadata resource) {
    return Objects.requireNonNullElse(resource.getMetadata().getLabels(), Map.of());
  }

  private static PodSpec podSpec(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  private static List<Container> allContainers(PodSpec pod) {
    List<Container> containers = new ArrayList<>(pod.getContainers());
    containers.addAll(pod.getInitContainers());
    return containers;
  }

  private static Container mainContainer(FlinkDeploymentSpec job) {
    return job.getPodTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("flink-main-container"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no flink-main-container in the pod template"));
  }

  private static String configMapOfVolume(PodSpec pod, String volume) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(volume))
        .map(Volume::getConfigMap)
        .filter(Objects::nonNull)
        .map(c -> c.getName())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap volume " + volume));
  }

  private static String mountPath(Container container, String volume) {
    return container.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(volume))
        .map(m -> m.getMountPath())
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no mount of " + volume + " in " + container.getName()));
  }

  private static String argumentAfter(String[] arguments, String option) {
    int at = Arrays.asList(arguments).indexOf(option);
    assertThat(at)
        .as("position of %s in %s", option, Arrays.toString(arguments))
        .isBetween(0, arguments.length - 2);
    return arguments[at + 1];
  }

  private static Set<String> referencedSecrets(List<PodSpec> pods) {
    Set<String> names = new TreeSet<>();
    for (PodSpec pod : pods) {
      pod.getVolumes().stream()
          .filter(v -> v.getSecret() != null)
          .forEach(v -> names.add(v.getSecret().getSecretName()));
      for (Container container : allContainers(pod)) {
        container.getEnv().stream()
            .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
            .forEach(e -> names.add(e.getValueFrom().getSecretKeyRef().getName()));
        container.getEnvFrom().stream()
            .map(EnvFromSource::getSecretRef)
            .filter(Objects::nonNull)
            .forEach(s -> names.add(s.getName()));
      }
    }
    return names;
  }
}
