package dev.freshet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The kustomizations under k8s/ and the generator entry points their bases reach (contracts/,
 * grafana/), read as plain YAML: which files each one renders, and whether it keeps to what
 * kustomize 2.0.3 (kubectl 1.20) renders the same as kustomize 5.
 */
final class Kustomizations {

  /** Both kustomize versions read these; kustomize 2.0.3 fails on e.g. patches and labels. */
  static final Set<String> PORTABLE_FIELDS =
      Set.of(
          "apiVersion",
          "kind",
          "bases",
          "resources",
          "namespace",
          "commonLabels",
          "images",
          "patchesStrategicMerge",
          "patchesJson6902",
          "configMapGenerator",
          "generatorOptions",
          "configurations");

  private static final List<String> FILE_NAMES =
      List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One kustomization file and its directory, against which its paths resolve. */
  record Kustomization(Path file, JsonNode content) {

    Path directory() {
      return file.getParent();
    }

    List<Path> resources() {
      return paths("resources");
    }

    List<Path> bases() {
      return paths("bases");
    }

    List<Path> strategicMergePatches() {
      return paths("patchesStrategicMerge");
    }

    List<Path> configurations() {
      return paths("configurations");
    }

    List<Path> json6902Patches() {
      List<Path> patches = new ArrayList<>();
      content.path("patchesJson6902").forEach(p -> patches.add(resolve(p.path("path").asText())));
      return patches;
    }

    /** Files this kustomization reads besides itself. */
    List<Path> files() {
      List<Path> files = new ArrayList<>();
      files.addAll(resources());
      files.addAll(strategicMergePatches());
      files.addAll(json6902Patches());
      files.addAll(configurations());
      return files;
    }

    private List<Path> paths(String field) {
      List<Path> paths = new ArrayList<>();
      content.path(field).forEach(entry -> paths.add(resolve(entry.asText())));
      return paths;
    }

    private Path resolve(String path) {
      return directory().resolve(path).normalize();
    }
  }

  private Kustomizations() {}

  /** Every kustomization under {@code root} and every one their bases reach, each once. */
  static List<Kustomization> reachableFrom(Path root) {
    Map<Path, Kustomization> found = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(f -> FILE_NAMES.contains(f.getFileName().toString()))
          .sorted()
          .forEach(f -> addWithBases(f.normalize(), found));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(found.values());
  }

  /** The kustomization file of {@code directory}, as kustomize looks for it. */
  static Path fileIn(Path directory) {
    return FILE_NAMES.stream()
        .map(directory::resolve)
        .filter(Files::isRegularFile)
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidManifestException(
                    directory + " holds no kustomization (one of " + FILE_NAMES + ")"));
  }

  private static void addWithBases(Path file, Map<Path, Kustomization> found) {
    if (found.containsKey(file)) {
      return;
    }
    Kustomization kustomization = new Kustomization(file, read(file));
    found.put(file, kustomization);
    for (Path base : kustomization.bases()) {
      addWithBases(fileIn(base).normalize(), found);
    }
  }

  private static JsonNode read(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
