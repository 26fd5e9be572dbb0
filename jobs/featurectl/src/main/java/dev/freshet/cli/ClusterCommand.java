package dev.freshet.cli;

import dev.freshet.localflink.LocalFlinkCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A real Flink session cluster on this machine: a JobManager and a TaskManager process. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "Start or stop a local Flink session cluster: a JobManager and a TaskManager process from"
            + " Maven's Flink jars, web UI and REST API on localhost.",
    subcommands = {
      ClusterCommand.Start.class,
      ClusterCommand.Stop.class,
      ClusterCommand.Status.class
    })
final class ClusterCommand {

  static final class DirectoryOption {
    @Option(
        names = "--dir",
        defaultValue = "freshet-cluster",
        paramLabel = "DIR",
        description =
            "The cluster's configuration, logs, checkpoints and savepoints (default:"
                + " ${DEFAULT-VALUE}).")
    Path directory;

    /** The cluster of the directory if it runs; says so when it does not. */
    Optional<LocalFlinkCluster> runningOrSay(PrintWriter out) throws IOException {
      Optional<LocalFlinkCluster> cluster = LocalFlinkCluster.running(directory);
      if (cluster.isEmpty()) {
        out.printf("flink: no cluster of %s is running%n", directory);
      }
      return cluster;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the cluster.")
  static final class Start implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DirectoryOption dir;

    @Option(
        names = "--rest-port",
        defaultValue = "8081",
        description = "Web UI and REST port (default: ${DEFAULT-VALUE}).")
    int restPort;

    @Option(
        names = "--task-slots",
        defaultValue = "4",
        description = "Slots of the TaskManager (default: ${DEFAULT-VALUE}).")
    int taskSlots;

    @Option(
        names = "--state-backend",
        defaultValue = "hashmap",
        description = "hashmap (state on the heap) or rocksdb (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(
        names = "--checkpoint-interval-ms",
        defaultValue = "1000",
        description = "Checkpoint, and so Delta commit, interval (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMillis;

    @Option(
        names = "--metrics-ports",
        defaultValue = "9250-9260",
        description = "Prometheus reporter ports, one per process (default: ${DEFAULT-VALUE}).")
    String metricsPorts;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      LocalFlinkCluster cluster =
          LocalFlinkCluster.start(
              dir.directory,
              new LocalFlinkCluster.Settings(
                  restPort,
                  taskSlots,
                  stateBackend,
                  Duration.ofMillis(checkpointIntervalMillis),
                  metricsPorts,
                  Map.of()));
      out.printf(
          "flink: session cluster at %s (JobManager pid %d, TaskManager pid %d, %d slots)%n",
          cluster.restUri(), cluster.jobManagerPid(), cluster.taskManagerPid(), taskSlots);
      out.printf(
          "  logs %s, savepoints %s%n", cluster.logDirectory(), cluster.savepointDirectory());
      out.printf("  stop it with: featurectl cluster stop --dir %s%n", dir.directory);
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stop the cluster; its running jobs are cancelled (featurectl stop keeps a job's state).")
  static final class Stop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DirectoryOption dir;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Optional<LocalFlinkCluster> cluster = dir.runningOrSay(out);
      if (cluster.isEmpty()) {
        return 0;
      }
      cluster.get().stop();
      out.printf("flink: stopped the cluster at %s%n", cluster.get().restUri());
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Is the cluster up?")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DirectoryOption dir;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Optional<LocalFlinkCluster> cluster = dir.runningOrSay(out);
      if (cluster.isEmpty()) {
        return 1;
      }
      out.printf(
          "flink: session cluster at %s (JobManager pid %d, TaskManager pid %d)%n",
          cluster.get().restUri(), cluster.get().jobManagerPid(), cluster.get().taskManagerPid());
      return 0;
    }
  }
}
