package dev.freshet.online;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach and authenticate to Redis: a Lettuce URI ({@code redis://host:port}, {@code
 * rediss://host:port} for TLS), and where the password comes from. Both the online sink and the
 * feature server connect with one.
 *
 * <h2>The password</h2>
 *
 * Give it as a file ({@link Builder#passwordFile}, e.g. a mounted Kubernetes Secret) or as an
 * environment variable ({@link Builder#passwordEnvironmentVariable}, conventionally {@value
 * #PASSWORD_ENVIRONMENT_VARIABLE}). This object holds only the file's path or the variable's name:
 * the password is read where and when a client connects, on every connect and reconnect, so it
 * never reaches a command line, Flink's job graph (which carries a serialized sink) or its web UI,
 * and a rotated Secret file takes effect at the next reconnect. A file's trailing line break is not
 * part of the password.
 *
 * <p>A password inside the URI ({@code redis://:secret@host:6379}) still works, for compatibility,
 * but then it travels wherever the URI does: on command lines and, serialized, in the job graph.
 * Prefer a file or a variable. {@link #toString()} and every error message show the URI without its
 * credentials, never a password.
 *
 * <h2>TLS</h2>
 *
 * {@code rediss://} connects with TLS. By default the server's certificate must chain to a CA the
 * JVM trusts and name the host of the URI ({@link SslVerifyMode#FULL}). {@link
 * Builder#caCertificateFile} trusts the CA certificates of a PEM file instead (a private CA, as
 * most Redis deployments use); {@link Builder#tlsVerify} relaxes the check to the certificate chain
 * ({@link SslVerifyMode#CA}, for a server reached under a name its certificate lacks) or turns it
 * off ({@link SslVerifyMode#NONE}: encrypted, but anyone in between can pose as the server; for
 * tests only).
 */
public final class RedisConnection implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The environment variable that conventionally holds the Redis password. */
  public static final String PASSWORD_ENVIRONMENT_VARIABLE = "FRESHET_REDIS_PASSWORD";

  private final String uri;
  private final String username;

  /** A path, as a string: {@link Path} is not serializable. */
  private final String passwordFile;

  private final String passwordEnvironmentVariable;
  private final String caCertificateFile;

  /** Null: what the URI says ({@code verifyPeer=...}), {@link SslVerifyMode#FULL} by default. */
  private final SslVerifyMode tlsVerify;

  private RedisConnection(Builder builder) {
    this.uri = builder.uri;
    this.username = builder.username;
    this.passwordFile = builder.passwordFile;
    this.passwordEnvironmentVariable = builder.passwordEnvironmentVariable;
    this.caCertificateFile = builder.caCertificateFile;
    this.tlsVerify = builder.tlsVerify;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A connection with all it needs in the URI: no password, or the password in the URI. */
  public static RedisConnection of(String uri) {
    return builder().uri(uri).build();
  }

  /**
   * Lettuce's URI, whose credentials read the password file or variable at every connect. Reading
   * fails the connect with an {@link IllegalStateException} that names the file or variable.
   */
  public RedisURI toRedisUri() {
    RedisURI redisUri = RedisURI.create(uri);
    if (tlsVerify != null) {
      redisUri.setVerifyPeer(tlsVerify);
    }
    if (passwordFile != null || passwordEnvironmentVariable != null) {
      redisUri.setCredentialsProvider(
          RedisCredentialsProvider.from(() -> RedisCredentials.just(username, readPassword())));
    }
    return redisUri;
  }

  /** A Lettuce client for this connection, its TLS trust set; not connected yet. */
  public RedisClient newClient() {
    RedisClient client = RedisClient.create(toRedisUri());
    client.setOptions(ClientOptions.builder().sslOptions(sslOptions()).build());
    return client;
  }

  /** For Lettuce's {@code ClientOptions}: the CA certificates to trust, if any were given. */
  public SslOptions sslOptions() {
    SslOptions.Builder options = SslOptions.builder();
    if (caCertificateFile != null) {
      // Lettuce reads the file at every connect, like the password.
      options.trustManager(SslOptions.Resource.from(new File(caCertificateFile)));
    }
    return options.build();
  }

  /**
   * "Cannot connect to Redis at ...: " and what {@code failure} and its causes say: Lettuce's own
   * message ("Unable to connect to host:port") says nothing of why, its causes do (a refused
   * password, an untrusted certificate). Each cause is said once: a wrapper whose message is just
   * its cause's name and message, or a message an earlier one already holds, is left out.
   */
  public String connectFailure(Throwable failure) {
    List<String> messages = new ArrayList<>();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      boolean saysSomething =
          message != null
              && !message.isBlank()
              && !message.equals(String.valueOf(cause.getCause()))
              && messages.stream().noneMatch(said -> said.contains(message));
      if (saysSomething) {
        messages.add(message);
      }
    }
    return "Cannot connect to Redis at " + this + ": " + String.join(": ", messages);
  }

  /**
   * The URI without credentials and where the password and trust come from, e.g. {@code
   * rediss://redis:6380 (password from file /etc/redis/password, CA certificates from
   * /etc/redis/ca.pem)}; never a password.
   */
  @Override
  public String toString() {
    List<String> settings = new ArrayList<>();
    if (username != null) {
      settings.add("user " + username);
    }
    if (passwordFile != null) {
      settings.add("password from file " + passwordFile);
    }
    if (passwordEnvironmentVariable != null) {
      settings.add("password from $" + passwordEnvironmentVariable);
    }
    if (caCertificateFile != null) {
      settings.add("CA certificates from " + caCertificateFile);
    }
    if (tlsVerify != null) {
      settings.add("TLS verification " + tlsVerify);
    }
    String withoutCredentials = RedisUris.withoutCredentials(uri);
    return settings.isEmpty()
        ? withoutCredentials
        : withoutCredentials + " (" + String.join(", ", settings) + ")";
  }

  /** The password, read now; an unreadable one is a fault of the settings, not of Redis. */
  private char[] readPassword() {
    try {
      return Passwords.read("Redis", passwordFile, passwordEnvironmentVariable);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Options of a {@link RedisConnection}; only the URI is required. */
  public static final class Builder {
    private String uri;
    private String username;
    private String passwordFile;
    private String passwordEnvironmentVariable;
    private String caCertificateFile;
    private SslVerifyMode tlsVerify;

    private Builder() {}

    /**
     * Where Redis listens, as a Lettuce URI: {@code redis://host:port[/database]}, or {@code
     * rediss://} for TLS. A password in it ({@code redis://:secret@host:port}) works, but see
     * {@link #passwordFile} for the better way.
     *
     * @throws IllegalArgumentException if it is no Redis URI; the message shows it without its
     *     credentials
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        RedisURI.create(uri);
      } catch (IllegalArgumentException e) {
        // Lettuce's message may quote the whole URI, password included: keep neither it nor e.
        throw new IllegalArgumentException(
            "'"
                + RedisUris.withoutCredentials(uri)
                + "' is not a Redis URI; use e.g. redis://host:6379 or rediss://host:6380 for TLS");
      }
      this.uri = uri;
      return this;
    }

    /** The Redis user (ACL, Redis 6 and later) to log in as; without it, the default user. */
    public Builder username(String username) {
      this.username = requireNotEmpty(username, "username");
      return this;
    }

    /**
     * A file that holds the password, e.g. a key of a Kubernetes Secret mounted as a volume. It is
     * read at every connect, on the machine that connects (every TaskManager, for the sink).
     */
    public Builder passwordFile(Path file) {
      Objects.requireNonNull(file, "passwordFile");
      if (passwordEnvironmentVariable != null) {
        throw new IllegalArgumentException(
            "The Redis password comes from $"
                + passwordEnvironmentVariable
                + " already; give a password file or an environment variable, not both");
      }
      this.passwordFile = file.toString();
      return this;
    }

    /**
     * An environment variable that holds the password, e.g. {@value #PASSWORD_ENVIRONMENT_VARIABLE}
     * set from a Kubernetes Secret. It is read at every connect, in the process that connects
     * (every TaskManager, for the sink).
     */
    public Builder passwordEnvironmentVariable(String name) {
      requireNotEmpty(name, "passwordEnvironmentVariable");
      if (passwordFile != null) {
        throw new IllegalArgumentException(
            "The Redis password comes from the file "
                + passwordFile
                + " already; give a password file or an environment variable, not both");
      }
      this.passwordEnvironmentVariable = name;
      return this;
    }

    /**
     * A PEM file with the CA certificates to trust for {@code rediss://}, instead of the JVM's
     * trust store: the CA of a private Redis deployment.
     */
    public Builder caCertificateFile(Path file) {
      this.caCertificateFile = Objects.requireNonNull(file, "caCertificateFile").toString();
      return this;
    }

    /**
     * How much of the server's certificate to check: {@link SslVerifyMode#FULL} (chain and host
     * name, the default), {@link SslVerifyMode#CA} (chain only) or {@link SslVerifyMode#NONE}
     * (nothing; tests only).
     */
    public Builder tlsVerify(SslVerifyMode tlsVerify) {
      this.tlsVerify = Objects.requireNonNull(tlsVerify, "tlsVerify");
      return this;
    }

    /**
     * @throws IllegalStateException if the URI is missing, or settings contradict each other: a
     *     password both in the URI and from a file or variable, a user without a password, TLS
     *     settings for a URI without TLS
     */
    public RedisConnection build() {
      if (uri == null) {
        throw new IllegalStateException(
            "The Redis URI is not set; e.g. redis://host:6379, or rediss://host:6380 for TLS");
      }
      RedisURI parsed = RedisURI.create(uri);
      boolean passwordOutsideUri = passwordFile != null || passwordEnvironmentVariable != null;
      String shown = RedisUris.withoutCredentials(uri);
      boolean credentialsInUri = !shown.equals(uri);
      if (passwordOutsideUri && credentialsInUri) {
        throw new IllegalStateException(
            "The Redis URI "
                + shown
                + " holds credentials, and a password file or variable is given too; give them"
                + " one way, preferably the file or variable with a URI without credentials");
      }
      if (username != null && !passwordOutsideUri) {
        throw new IllegalStateException(
            "A Redis user ("
                + username
                + ") needs a password; give a password file or environment variable");
      }
      if (!parsed.isSsl() && (caCertificateFile != null || tlsVerify != null)) {
        throw new IllegalStateException(
            "TLS settings are given but the Redis URI "
                + shown
                + " does not use TLS; use rediss:// to connect with TLS");
      }
      return new RedisConnection(this);
    }

    private static String requireNotEmpty(String value, String name) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }
  }
}
