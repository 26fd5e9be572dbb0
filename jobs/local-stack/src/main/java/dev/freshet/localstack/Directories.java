package dev.freshet.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing the working directories the local servers, uploads and benchmark runs leave. */
public final class Directories {

  private Directories() {}

  /** Deletes {@code directory} with everything in it, deepest entries first. */
  public static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
