package dev.freshet.serving;

import dev.freshet.online.RedisConnection;
import dev.freshet.online.RedisConnectionOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The feature server as a program: serves until the process is stopped (Ctrl-C). */
@Command(
    name = "feature-server",
    mixinStandardHelpOptions = true,
    description = {
      "Serve online features from Redis over Feast's gRPC ServingService, for Feast's clients.",
      "Feature views come from a Feast file registry (featurectl register writes one); values"
          + " from the Redis hashes Freshet's online sink writes in Feast's layout.",
      "For a Redis with TLS and a password: --redis rediss://HOST:PORT --redis-password-file FILE"
          + " (or --redis-password-env VARIABLE) [--redis-tls-ca-file FILE]; a password inside"
          + " the URI works too, but shows on the command line."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped",
      "1:the registry cannot be read, Redis cannot be reached or refuses the password or"
          + " certificate, or the port is taken",
      "2:usage error"
    })
public final class FeatureServerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--registry",
      required = true,
      paramLabel = "FILE",
      description = "Feast file registry: a serialized feast.core.Registry.")
  Path registry;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      paramLabel = "URI",
      description =
          "Redis to read, rediss:// for TLS; better without a password in it (default:"
              + " ${DEFAULT-VALUE}).")
  String redis;

  @Mixin RedisConnectionOptions redisOptions;

  @Option(
      names = "--project",
      defaultValue = FeatureServer.DEFAULT_PROJECT,
      description = "Feast project whose keys are served (default: ${DEFAULT-VALUE}).")
  String project;

  @Option(
      names = "--bind",
      defaultValue = FeatureServer.DEFAULT_BIND_ADDRESS,
      paramLabel = "ADDRESS",
      description = "Address to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--port",
      defaultValue = "" + FeatureServer.DEFAULT_PORT,
      description = "gRPC port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FeatureServerCommand()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65_535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--port must be 0 to 65535, got " + port);
    }
    if (project.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--project must not be empty");
    }
    RedisConnection redisConnection = redisOptions.connection(redis).orElseThrow();
    FeatureServer server;
    try {
      server =
          FeatureServer.builder()
              .registryFile(registry)
              .redis(redisConnection)
              .project(project)
              .bindAddress(bind)
              .port(port)
              .build()
              .start();
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "feature-server-stop"));
    out.printf(
        "Serving project %s from %s on %s:%d (Redis %s); Ctrl-C stops%n",
        project, registry, bind, server.port(), redisConnection);
    out.flush();
    stopped.await();
    return 0;
  }
}
