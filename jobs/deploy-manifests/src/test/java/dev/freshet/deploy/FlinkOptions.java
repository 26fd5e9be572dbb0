package dev.freshet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Checks a FlinkDeployment's flinkConfiguration against the options Flink's core declares, in the
 * version the job is built with. Flink ignores a key it does not know, so a misspelt or outdated
 * key (Flink 1's state.checkpoints.dir, say) would silently leave a default in place.
 */
final class FlinkOptions {

  /** Keys read by code that is not on this classpath, with the code that reads them. */
  static final Map<String, String> UNCHECKED_PREFIXES =
      Map.of(
          "s3.", "the S3 file system plugins",
          "metrics.reporter.prom.", "the Prometheus reporter (flink-metrics-prometheus)");

  private static final String OPTIONS_PACKAGE = "org/apache/flink/configuration/";

  private final Map<String, ConfigOption<?>> optionsByKey = declaredInFlinkCore();

  /** What is wrong with {@code flinkConfiguration}, one line per key; empty when nothing is. */
  List<String> problems(Map<String, String> flinkConfiguration) {
    Configuration configuration = Configuration.fromMap(flinkConfiguration);
    List<String> problems = new ArrayList<>();
    flinkConfiguration.keySet().stream()
        .sorted()
        .filter(key -> UNCHECKED_PREFIXES.keySet().stream().noneMatch(key::startsWith))
        .forEach(
            key -> {
              ConfigOption<?> option = optionsByKey.get(key);
              if (option == null) {
                problems.add(key + ": no current option of Flink " + flinkVersion());
                return;
              }
              try {
                configuration.get(option);
              } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
              }
            });
    return problems;
  }

  /** The version of the flink-core jar these options come from. */
  static String flinkVersion() {
    return ConfigOption.class.getPackage().getImplementationVersion();
  }

  /** Current keys only: a deprecated key that still works is reported too, to be renamed. */
  private static Map<String, ConfigOption<?>> declaredInFlinkCore() {
    Map<String, ConfigOption<?>> options = new HashMap<>();
    try (JarFile flinkCore = new JarFile(flinkCoreJar().toFile())) {
      flinkCore.stream()
          .map(entry -> entry.getName())
          .filter(name -> name.startsWith(OPTIONS_PACKAGE) && name.endsWith("Options.class"))
          .filter(name -> name.indexOf('/', OPTIONS_PACKAGE.length()) < 0)
          .map(name -> name.replace('/', '.').substring(0, name.length() - ".class".length()))
          .forEach(className -> addOptionsOf(className, options));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return options;
  }

  private static void addOptionsOf(String className, Map<String, ConfigOption<?>> options) {
    try {
      for (Field field : Class.forName(className).getFields()) {
        if (Modifier.isStatic(field.getModifiers())
            && ConfigOption.class.isAssignableFrom(field.getType())
            && !field.isAnnotationPresent(Deprecated.class)) {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          options.put(option.key(), option);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read the options of " + className, e);
    }
  }

  private static Path flinkCoreJar() {
    try {
      return Path.of(
          ConfigOption.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
