package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --contracts DIR} option of the commands that read a contract folder as it is. */
final class ContractsDirectoryOption {

  @Option(
      names = "--contracts",
      defaultValue = "contracts",
      paramLabel = "DIR",
      description = "Contract directory (default: ${DEFAULT-VALUE}).")
  Path directory;

  /**
   * The valid contracts of the folder; empty when any is invalid, with every problem written to
   * {@code err}.
   */
  Optional<List<Contract>> loadOrReport(PrintWriter err) {
    try {
      return Optional.of(new ContractLoader().loadDirectory(directory));
    } catch (ContractValidationException e) {
      for (ContractProblem problem : e.problems()) {
        err.println(problem);
      }
      err.printf(
          "error: %d problem(s); fix them first (featurectl validate)%n", e.problems().size());
      return Optional.empty();
    }
  }
}
