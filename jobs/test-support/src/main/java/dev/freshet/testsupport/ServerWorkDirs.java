package dev.freshet.testsupport;

import dev.freshet.localstack.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Work directories of the test servers that live as long as the test JVM: created under the
 * system's temporary directory, deleted when the JVM exits, after the server has stopped.
 */
final class ServerWorkDirs {

  private ServerWorkDirs() {}

  static Path create(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a work dir for a test server", e);
    }
  }

  /** At the JVM's exit, runs {@code stopServer} and then deletes {@code workDir}. */
  static void stopAndDeleteAtExit(Runnable stopServer, Path workDir, String threadName) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopServer.run();
                  deleteRecursively(workDir);
                },
                threadName));
  }

  private static void deleteRecursively(Path dir) {
    try {
      Directories.deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      // Leaves a temp dir behind; not worth failing the JVM's shutdown for.
    }
  }
}
