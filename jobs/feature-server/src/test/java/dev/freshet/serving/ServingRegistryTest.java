package dev.freshet.serving;

import static dev.freshet.serving.TestRegistry.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.online.FeastRedisLayout;
import feast.proto.core.EntityProto;
import feast.proto.core.RegistryProto;
import feast.proto.types.ValueProto.Value.ValCase;
import feast.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingRegistryTest {

  private static final RegistryProto.Registry REGISTRY =
      new TestRegistry("p")
          .entity("host", ValueType.Enum.STRING)
          .entity("directory", ValueType.Enum.STRING)
          .view(
              "directory_changes",
              List.of("host", "directory"),
              types("changes_1m", ValueType.Enum.INT64, "top", ValueType.Enum.STRING_LIST),
              600)
          .build();

  @TempDir Path dir;

  @Test
  void resolvesAFeatureWithItsFieldTypeAndSortedJoinKeys() throws IOException {
    Path file = dir.resolve("registry.pb");
    Files.write(file, REGISTRY.toByteArray());

    ServingRegistry.Feature feature =
        ServingRegistry.read(file).feature("directory_changes:changes_1m");

    assertThat(feature.reference()).isEqualTo("directory_changes:changes_1m");
    assertThat(feature.valCase()).isEqualTo(ValCase.INT64_VAL);
    assertThat(feature.field())
        .isEqualTo(FeastRedisLayout.featureField("directory_changes", "changes_1m"));
    assertThat(feature.view().joinKeys()).containsExactly("directory", "host");
    assertThat(feature.view().timestampField())
        .isEqualTo(FeastRedisLayout.timestampField("directory_changes"));
  }

  @Test
  void maxAgeIsComparedInWholeSecondsAndOnlyWhenSet() {
    ServingRegistry.View view =
        ServingRegistry.of(REGISTRY).feature("directory_changes:top").view();

    assertThat(view.outsideMaxAge(1_000_600, 1_000_000)).isFalse();
    assertThat(view.outsideMaxAge(1_000_601, 1_000_000)).isTrue();

    ServingRegistry.View noTtl =
        ServingRegistry.of(
                new TestRegistry("p")
                    .entity("host", ValueType.Enum.STRING)
                    .view("h", List.of("host"), types("n", ValueType.Enum.INT64), 0)
                    .build())
            .feature("h:n")
            .view();
    assertThat(noTtl.outsideMaxAge(Long.MAX_VALUE, 0)).isFalse();
  }

  @Test
  void unknownNamesAreRefusedWithFeastsMessages() {
    ServingRegistry registry = ServingRegistry.of(REGISTRY);

    assertThatThrownBy(() -> registry.feature("nope:changes_1m"))
        .isInstanceOf(FeatureRequestException.class)
        .hasMessage("Unable to find feature view with name: nope");
    assertThatThrownBy(() -> registry.feature("directory_changes:nope"))
        .hasMessage("Unable to find feature with name: nope in feature view: directory_changes");
    assertThatThrownBy(() -> registry.feature("changes_1m"))
        .hasMessage("Feature reference 'changes_1m' is not of the form feature_view:feature");
    assertThatThrownBy(() -> registry.featureService("svc"))
        .hasMessage("Unable to find feature service with name: svc");
  }

  @Test
  void twoFeatureViewsOfOneNameAreRefusedWhateverTheirProjects() {
    RegistryProto.Registry twice =
        REGISTRY.toBuilder()
            .addFeatureViews(
                REGISTRY.getFeatureViews(0).toBuilder()
                    .setSpec(REGISTRY.getFeatureViews(0).getSpec().toBuilder().setProject("q")))
            .build();

    assertThatThrownBy(() -> ServingRegistry.of(twice))
        .hasMessage(
            "Registry has two feature views named directory_changes; names must be unique in the"
                + " file, whatever their project");
  }

  @Test
  void viewNamingAMissingEntityIsRefused() {
    RegistryProto.Registry withoutEntities = REGISTRY.toBuilder().clearEntities().build();

    assertThatThrownBy(() -> ServingRegistry.of(withoutEntities))
        .hasMessage("Feature view directory_changes names entity host, which is not in it");
  }

  @Test
  void entitiesOfOneNameMustAgreeOnTheJoinKey() {
    EntityProto.Entity host = REGISTRY.getEntities(0);
    RegistryProto.Registry sameInTwoProjects =
        REGISTRY.toBuilder()
            .addEntities(host.toBuilder().setSpec(host.getSpec().toBuilder().setProject("q")))
            .build();
    RegistryProto.Registry contradicting =
        REGISTRY.toBuilder()
            .addEntities(
                host.toBuilder().setSpec(host.getSpec().toBuilder().setJoinKey("hostname")))
            .build();

    assertThat(ServingRegistry.of(sameInTwoProjects).featureViewCount()).isEqualTo(1);
    assertThatThrownBy(() -> ServingRegistry.of(contradicting))
        .hasMessage(
            "Registry has two entities named host with different join keys: host and hostname");
  }

  @Test
  void fileThatIsNoRegistryIsRefusedNamingIt() throws IOException {
    Path file = dir.resolve("registry.pb");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThatThrownBy(() -> ServingRegistry.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Registry " + file + " is not a serialized feast.core.Registry");
  }
}
