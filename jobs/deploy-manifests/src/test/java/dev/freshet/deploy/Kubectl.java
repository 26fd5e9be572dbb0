package dev.freshet.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The kubectl binary, for its built-in kustomize. */
final class Kubectl {

  /** Path of a kubectl to use instead of the one on the PATH. */
  static final String PROPERTY = "freshet.kubectl";

  private static final long RENDER_TIMEOUT_SECONDS = 120;

  static final String HOW_TO_GET_IT =
      "The overlays are rendered with `kubectl kustomize`. Install kubectl, or on Debian extract"
          + " one without installing it (the package would clash with another kubectl package):"
          + " `apt-get download kubernetes-client && dpkg-deb -x kubernetes-client_*.deb tools`,"
          + " then run with -D"
          + PROPERTY
          + "=$PWD/tools/usr/bin/kubectl.";

  private final Path binary;

  private Kubectl(Path binary) {
    this.binary = binary;
  }

  /** The kubectl named by -Dfreshet.kubectl, else the first on the PATH; fails without one. */
  static Kubectl locate() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path binary = Path.of(configured);
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(
            "-D" + PROPERTY + "=" + configured + " is no executable file. " + HOW_TO_GET_IT);
      }
      return new Kubectl(binary);
    }
    return onPath()
        .map(Kubectl::new)
        .orElseThrow(
            () -> new IllegalStateException("kubectl is not on the PATH. " + HOW_TO_GET_IT));
  }

  Path binary() {
    return binary;
  }

  /** {@code kubectl kustomize directory}: the rendered YAML. */
  String kustomize(Path directory) {
    Path output = null;
    Path errors = null;
    try {
      output = Files.createTempFile("kubectl-kustomize", ".yaml");
      errors = Files.createTempFile("kubectl-kustomize", ".err");
      Process process =
          new ProcessBuilder(binary.toString(), "kustomize", directory.toString())
              .redirectOutput(output.toFile())
              .redirectError(errors.toFile())
              .start();
      process.getOutputStream().close();
      String command = binary + " kustomize " + directory;
      if (!process.waitFor(RENDER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            command + " still runs after " + RENDER_TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new InvalidManifestException(
            command
                + " failed with exit code "
                + process.exitValue()
                + ":\n"
                + Files.readString(errors));
      }
      return Files.readString(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteQuietly(output);
      deleteQuietly(errors);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      file.toFile().delete();
    }
  }

  private static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "kubectl"))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
