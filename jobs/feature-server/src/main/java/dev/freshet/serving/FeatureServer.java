package dev.freshet.serving;

import dev.freshet.online.RedisConnection;
import feast.proto.core.RegistryProto;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Serves online features to Feast's clients: Feast's gRPC {@code ServingService} ({@code
 * GetFeastServingInfo}, {@code GetOnlineFeatures}) over the Redis hashes Freshet's online sink
 * writes in Feast's layout, with the feature views of a Feast file registry ({@code featurectl
 * register} writes one). {@code dev.feast.FeastClient.create(host, port)} talks to it as to Feast's
 * own Java feature server.
 *
 * <pre>{@code
 * try (FeatureServer server =
 *     FeatureServer.builder()
 *         .registryFile(Path.of("registry.pb"))
 *         .redisUri("redis://127.0.0.1:6379")
 *         .project("freshet")
 *         .port(0)
 *         .build()
 *         .start()) {
 *   FeastClient client = FeastClient.create("127.0.0.1", server.port());
 *   ...
 * }
 * }</pre>
 *
 * <p>One server serves one project, as Feast's Java server does: the project is part of every Redis
 * key, and requests do not carry it. The registry is read once, at {@link #start()}.
 *
 * <p>For a Redis with TLS and a password, give a {@link RedisConnection} ({@link
 * Builder#redis(RedisConnection)}): {@code rediss://} and the password from a file or environment
 * variable, read at every connect.
 */
public final class FeatureServer implements AutoCloseable {

  /** The port Feast's Java feature server listens on by default. */
  public static final int DEFAULT_PORT = 6566;

  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** The default of a contract's {@code online.feast_project}. */
  public static final String DEFAULT_PROJECT = "freshet";

  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Path registryFile;
  private final RegistryProto.Registry registry;
  private final RedisConnection redisConnection;
  private final String project;
  private final String bindAddress;
  private final int requestedPort;

  private RedisClient redisClient;
  private StatefulRedisConnection<byte[], byte[]> redis;
  private Server grpcServer;

  private FeatureServer(Builder builder) {
    this.registryFile = builder.registryFile;
    this.registry = builder.registry;
    this.redisConnection = builder.redisConnection;
    this.project = builder.project;
    this.bindAddress = builder.bindAddress;
    this.requestedPort = builder.port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the registry, connects to Redis and starts listening; fails if any of them fails.
   *
   * @return this server, started
   * @throws IllegalStateException if Redis cannot be reached, refuses the password or the TLS
   *     handshake fails; the message says why, without the password
   */
  public synchronized FeatureServer start() {
    if (grpcServer != null) {
      throw new IllegalStateException("The feature server is already started");
    }
    ServingRegistry servingRegistry =
        registry != null ? ServingRegistry.of(registry) : ServingRegistry.read(registryFile);
    redisClient = redisConnection.newClient();
    try {
      redis = connect();
      OnlineFeatureService service =
          new OnlineFeatureService(servingRegistry, project, redis, InstantSource.system());
      grpcServer =
          NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, requestedPort))
              // calls never block: they send their reads to Redis and answer from Lettuce's
              // completion, so running them on the transport thread saves a thread handoff
              .directExecutor()
              .addService(new ServingServiceGrpcAdapter(service))
              .build()
              .start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "Cannot listen on " + bindAddress + ":" + requestedPort + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  private StatefulRedisConnection<byte[], byte[]> connect() {
    try {
      return redisClient.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      throw new IllegalStateException(redisConnection.connectFailure(e), e);
    }
  }

  /** The port the server listens on: the one asked for, or the one chosen for port 0. */
  public synchronized int port() {
    if (grpcServer == null) {
      throw new IllegalStateException("The feature server is not started");
    }
    return grpcServer.getPort();
  }

  public String project() {
    return project;
  }

  /** Stops accepting calls, lets running calls finish for a few seconds, then disconnects. */
  @Override
  public synchronized void close() {
    if (grpcServer != null) {
      grpcServer.shutdown();
      try {
        if (!grpcServer.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
          grpcServer.shutdownNow();
        }
      } catch (InterruptedException e) {
        grpcServer.shutdownNow();
        Thread.currentThread().interrupt();
      }
      grpcServer = null;
    }
    if (redis != null) {
      redis.close();
      redis = null;
    }
    if (redisClient != null) {
      redisClient.shutdown();
      redisClient = null;
    }
  }

  /** Builds a {@link FeatureServer}; registry and Redis URI are required. */
  public static final class Builder {
    private Path registryFile;
    private RegistryProto.Registry registry;
    private RedisConnection redisConnection;
    private String project = DEFAULT_PROJECT;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int port = DEFAULT_PORT;

    private Builder() {}

    /** A Feast file registry: one serialized {@code feast.core.Registry}, read at start. */
    public Builder registryFile(Path file) {
      if (registry != null) {
        throw new IllegalStateException("registry(...) is set already; give a file or a message");
      }
      this.registryFile = Objects.requireNonNull(file, "registryFile");
      return this;
    }

    /** The registry as a message, for servers embedded beside {@code featurectl register}. */
    public Builder registry(RegistryProto.Registry registry) {
      if (registryFile != null) {
        throw new IllegalStateException(
            "registryFile(...) is set already; give a file or a message");
      }
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Where Redis listens and how to log in and trust it; see {@link RedisConnection} for a
     * password from a file or environment variable and TLS with a private CA.
     */
    public Builder redis(RedisConnection redisConnection) {
      this.redisConnection = Objects.requireNonNull(redisConnection, "redis");
      return this;
    }

    /**
     * For example {@code redis://127.0.0.1:6379}; Lettuce's URI syntax. Short for {@code
     * redis(RedisConnection.of(redisUri))}.
     *
     * @throws IllegalArgumentException if it is no Redis URI
     */
    public Builder redisUri(String redisUri) {
      return redis(RedisConnection.of(Objects.requireNonNull(redisUri, "redisUri")));
    }

    /** The Feast project whose keys are read (default {@value #DEFAULT_PROJECT}). */
    public Builder project(String project) {
      if (project == null || project.isEmpty()) {
        throw new IllegalArgumentException("project must not be empty");
      }
      this.project = project;
      return this;
    }

    /** The address to listen on (default {@value #DEFAULT_BIND_ADDRESS}; 0.0.0.0 for all). */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** The port to listen on (default {@value #DEFAULT_PORT}); 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public FeatureServer build() {
      if (registryFile == null && registry == null) {
        throw new IllegalStateException("No registry: call registryFile(path) or registry(msg)");
      }
      if (redisConnection == null) {
        throw new IllegalStateException(
            "No Redis: call redis(RedisConnection) or redisUri(\"redis://host:port\")");
      }
      return new FeatureServer(this);
    }
  }
}
