package dev.freshet.testsupport;

import dev.freshet.localstack.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The one real Redis server of a test JVM, shared by all test classes, started on first use and
 * stopped when the JVM exits.
 *
 * <p>With a Docker engine it is a Testcontainers {@code redis} container; without one it is a
 * {@link RedisServerProcess}. The system property {@value #MODE_PROPERTY} ({@code auto}, {@code
 * container} or {@code process}) forces a choice.
 *
 * <p>Tests share the server: each should use keys of its own (a project name of its own gives that
 * in Feast's layout), or {@link #flushAll()} before it starts.
 */
public final class RedisTestServer {

  private static final Logger LOG = LoggerFactory.getLogger(RedisTestServer.class);

  public static final String REDIS_IMAGE = "redis:7.0";
  public static final String MODE_PROPERTY = "freshet.test.redis";
  private static final int REDIS_PORT = 6379;

  private static RedisTestServer shared;
  private static RuntimeException sharedStartFailure;

  private final String host;
  private final int port;
  private final String description;

  private RedisTestServer(String host, int port, String description) {
    this.host = host;
    this.port = port;
    this.description = description;
  }

  /** The server of this JVM, started by the first call; a failed start is remembered. */
  public static synchronized RedisTestServer shared() {
    if (shared == null && sharedStartFailure == null) {
      try {
        shared = start();
        LOG.info("Tests use {} at {}", shared.description, shared.uri());
      } catch (RuntimeException e) {
        sharedStartFailure = e;
      }
    }
    if (sharedStartFailure != null) {
      throw new IllegalStateException(
          "The shared Redis test server failed to start", sharedStartFailure);
    }
    return shared;
  }

  public String uri() {
    return "redis://" + host + ":" + port;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String description() {
    return description;
  }

  /** Deletes every key of every database. */
  public void flushAll() {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().flushall();
    } finally {
      client.shutdown();
    }
  }

  private static RedisTestServer start() {
    return switch (TestServerMode.chosenBy(MODE_PROPERTY, "redis-server")) {
      case CONTAINER -> startContainer();
      case PROCESS -> startProcess();
    };
  }

  private static RedisTestServer startContainer() {
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE)).withExposedPorts(REDIS_PORT);
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "redis-test-container-stop"));
    return new RedisTestServer(
        container.getHost(),
        container.getMappedPort(REDIS_PORT),
        "a Redis container (" + REDIS_IMAGE + ")");
  }

  private static RedisTestServer startProcess() {
    Path workDir = ServerWorkDirs.create("freshet-test-redis-");
    RedisServerProcess server = RedisServerProcess.start(workDir);
    ServerWorkDirs.stopAndDeleteAtExit(server::close, workDir, "redis-test-server-stop");
    return new RedisTestServer(
        server.host(),
        server.port(),
        "a local redis-server process (log " + server.logFile() + ")");
  }
}
