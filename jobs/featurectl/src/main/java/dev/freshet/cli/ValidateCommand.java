package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Checks contract files and reports every problem with its file and field. */
@Command(
    mixinStandardHelpOptions = true,
    name = "validate",
    description = "Validate feature contracts; exit code 1 if any is invalid.")
final class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ContractsDirectoryOption contracts;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      List<Contract> loaded = new ContractLoader().loadDirectory(contracts.directory);
      loaded.forEach(
          c ->
              out.printf(
                  "ok  %s (%s, %d features) %s%n",
                  c.name(), c.source().sourceName(), c.features().size(), c.file()));
      return 0;
    } catch (ContractValidationException e) {
      for (ContractProblem problem : e.problems()) {
        err.println(problem);
      }
      err.printf("%d problem(s)%n", e.problems().size());
      return 1;
    }
  }
}
