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
 * The classpath of the broker JVM, resolved by Maven when local-stack is built.
 *
 * <p>The broker jars are optional dependencies of local-stack, so they never reach the classpath of
 * the JVM that starts the broker (which runs Flink and its own kafka-clients). The
 * maven-dependency-plugin writes their absolute paths into a resource next to this class.
 */
final class BrokerClasspath {

  static final String RESOURCE = "kafka-broker.classpath";

  private BrokerClasspath() {}

  static String load() {
    String classpath = readResource().trim();
    List<String> missing =
        Arrays.stream(classpath.split(File.pathSeparator))
            .filter(entry -> !Files.isRegularFile(Path.of(entry)))
            .toList();
    if (classpath.isEmpty() || !missing.isEmpty()) {
      throw new IllegalStateException(
          "The Kafka broker classpath in resource dev/freshet/localstack/"
              + RESOURCE
              + " names jars that do not exist "
              + missing
              + " (built against another local Maven repository?). Rebuild local-stack on this"
              + " machine: mvn -pl jobs/local-stack install");
    }
    return classpath;
  }

  private static String readResource() {
    try (InputStream in = BrokerClasspath.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource dev/freshet/localstack/"
                + RESOURCE
                + " is missing. Maven's generate-resources phase of local-stack writes it;"
                + " build the module with Maven first: mvn -pl jobs/local-stack install");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Kafka broker classpath resource", e);
    }
  }
}
