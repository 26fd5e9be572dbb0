package dev.freshet.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * How a shared test server runs: in a Testcontainers container where a Docker engine exists,
 * otherwise as a local process. A system property ({@code auto}, {@code container} or {@code
 * process}) forces a choice, e.g. to reproduce CI (no Docker) on a laptop that has Docker.
 */
enum TestServerMode {
  CONTAINER,
  PROCESS;

  private static final Logger LOG = LoggerFactory.getLogger(TestServerMode.class);

  /** The mode {@code property} asks for; {@code auto} (the default) asks Docker. */
  static TestServerMode chosenBy(String property, String server) {
    String mode = System.getProperty(property, "auto");
    return switch (mode) {
      case "container" -> CONTAINER;
      case "process" -> PROCESS;
      case "auto" -> {
        if (DockerClientFactory.instance().isDockerAvailable()) {
          yield CONTAINER;
        }
        LOG.info("No Docker engine (Testcontainers logs why): starting a local {} process", server);
        yield PROCESS;
      }
      default ->
          throw new IllegalArgumentException(
              "System property " + property + " is '" + mode + "'; use auto, container or process");
    };
  }
}
