package dev.freshet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code featurectl} command line. */
@Command(
    name = "featurectl",
    mixinStandardHelpOptions = true,
    version = "featurectl 0.1.0",
    description = "Feature contracts and the Freshet feature platform.",
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      DiffCommand.class,
      ExplainCommand.class,
      InitCommand.class,
      RegisterCommand.class,
      ClusterCommand.class,
      SubmitCommand.class,
      JobsCommand.class,
      StopCommand.class,
      UpgradeCommand.class
    })
public final class Featurectl {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Featurectl());
  }
}
