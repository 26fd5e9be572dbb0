package dev.freshet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --contracts DIR} option of the commands that read a contract folder as it is. */
final class ContractsDirectoryOption {

  @Option(
      names = "--contracts",
      defaultValue = "contracts",
      paramLabel = "DIR",
      description = "Contract directory (default: ${DEFAULT-VALUE}).")
  Path directory;
}
