package dev.freshet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of this repository that the manifests deploy or are checked against. */
final class RepositoryFiles {

  /** Tests run in jobs/deploy-manifests. */
  static final Path REPOSITORY = Path.of("../..");

  static final Path K8S = REPOSITORY.resolve("k8s");
  static final Path CONTRACTS = REPOSITORY.resolve("contracts");
  static final Path DASHBOARD = REPOSITORY.resolve("grafana/dashboards/freshet-freshness.json");
  static final Path PARENT_POM = REPOSITORY.resolve("pom.xml");

  private RepositoryFiles() {}

  /** The files the feature job loads as contracts: the same rule as ContractLoader's. */
  static List<Path> contractFiles() {
    try (Stream<Path> files = Files.list(CONTRACTS)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
