package dev.freshet.testsupport;

import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.localstack.ThrowawayCertificates;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Redis of a test JVM that speaks TLS only and requires a password ({@link
 * RedisServerProcess#startWithTls}), with a throwaway CA that signed its certificate for {@code
 * 127.0.0.1}; started on first use, stopped when the JVM exits. Tests share it as they share {@link
 * RedisTestServer}: each uses keys of its own.
 *
 * <p>It is a local {@code redis-server} process even where a Docker engine exists and {@link
 * RedisTestServer} runs a container: TLS needs the certificates inside the server, which a process
 * reads from the work directory as they are, and the redis-server binary is what CI installs
 * anyway. So these tests need redis-server on the PATH in every mode.
 */
public final class TlsRedisTestServer {

  private static final Logger LOG = LoggerFactory.getLogger(TlsRedisTestServer.class);

  private static RedisServerProcess shared;
  private static RuntimeException sharedStartFailure;

  private TlsRedisTestServer() {}

  /** The server of this JVM, started by the first call; a failed start is remembered. */
  public static synchronized RedisServerProcess shared() {
    if (shared == null && sharedStartFailure == null) {
      try {
        shared = start();
        LOG.info("TLS tests use {} (log {})", shared.uri(), shared.logFile());
      } catch (RuntimeException e) {
        sharedStartFailure = e;
      }
    }
    if (sharedStartFailure != null) {
      throw new IllegalStateException(
          "The shared TLS Redis test server failed to start", sharedStartFailure);
    }
    return shared;
  }

  private static RedisServerProcess start() {
    Path workDir = ServerWorkDirs.create("freshet-test-redis-tls-");
    ThrowawayCertificates certificates =
        ThrowawayCertificates.create(workDir.resolve("certificates"), "IP:127.0.0.1");
    RedisServerProcess server = RedisServerProcess.startWithTls(workDir, certificates);
    ServerWorkDirs.stopAndDeleteAtExit(server::close, workDir, "redis-tls-test-server-stop");
    return server;
  }
}
