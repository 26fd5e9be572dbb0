package dev.freshet.localstack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a server JVM this project starts (the Kafka broker, Flink's JobManager and
 * TaskManager), resolved by Maven when the module that starts it is built.
 *
 * <p>The server's jars are optional dependencies of that module, so they never reach the classpath
 * of the JVM that starts the server. The maven-dependency-plugin's build-classpath writes their
 * absolute paths into a resource next to a class of the module.
 */
public final class ResolvedClasspath {

  private ResolvedClasspath() {}

  /**
   * @param anchor a class of the module, next to which the resource lies
   * @param resource the resource's name, relative to {@code anchor}'s package
   * @param module the module's path, named in errors as what to rebuild
   * @throws IllegalStateException if the resource is missing or names jars that do not exist
   */
  public static String load(Class<?> anchor, String resource, String module) {
    String where = anchor.getPackageName().replace('.', '/') + "/" + resource;
    String classpath = read(anchor, resource, where, module).trim();
    List<String> missing =
        Arrays.stream(classpath.split(File.pathSeparator))
            .filter(entry -> !Files.isRegularFile(Path.of(entry)))
            .toList();
    if (classpath.isEmpty() || !missing.isEmpty()) {
      throw new IllegalStateException(
          "The classpath in resource "
              + where
              + " names jars that do not exist "
              + missing
              + " (built against another local Maven repository?). Rebuild the module on this"
              + " machine: mvn -pl "
              + module
              + " install");
    }
    return classpath;
  }

  private static String read(Class<?> anchor, String resource, String where, String module) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource "
                + where
                + " is missing. Maven's generate-resources phase writes it; build the module with"
                + " Maven first: mvn -pl "
                + module
                + " install");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the classpath resource " + where, e);
    }
  }
}
