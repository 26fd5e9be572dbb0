package dev.freshet.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shaded feature-job jar to submit; the build puts it beside featurectl.jar. */
final class JobJarOption {

  static final String FILE_NAME = "feature-job.jar";

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description = "The feature job jar (default: " + FILE_NAME + " beside featurectl.jar).")
  Path jar;

  Path jar() {
    return jar != null ? jar : besideFeaturectl();
  }

  private static Path besideFeaturectl() {
    try {
      Path location =
          Path.of(Featurectl.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.getParent().resolve(FILE_NAME);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot tell where featurectl runs from", e);
    }
  }
}
