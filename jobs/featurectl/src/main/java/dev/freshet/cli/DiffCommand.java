package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractChange;
import dev.freshet.contract.ContractDiff;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Compares the contracts of the working tree with the same folder at a git ref and classifies every
 * change (see {@link ContractDiff}); fails when a breaking change comes without a raised version.
 */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the contracts in the working tree with those at a git ref and classify every"
          + " change as COMPATIBLE or BREAKING.",
      "A breaking change is accepted only when the contract's version is raised: the job then"
          + " runs the new version beside the old one. A contract or feature may be removed"
          + " without a new version once its contract is lifecycle: deprecated.",
      "Prints one line per change: BREAKING|COMPATIBLE  <contract>  <path>: <before> -> <after>"
          + "  (<reason>)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no breaking change, or every breaking change is accepted",
      "1:a breaking change without a raised version (or a removal without deprecation)",
      "2:usage error, git error, or contracts that fail validation, at the ref or in the"
          + " working tree"
    })
final class DiffCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--base",
      required = true,
      paramLabel = "<git ref>",
      description = "Commit, branch or tag to compare with, e.g. origin/main or HEAD~1.")
  String base;

  @Option(
      names = "--contracts",
      defaultValue = "contracts",
      paramLabel = "DIR",
      description =
          "Contract directory in a git working tree; the same folder is read at the ref"
              + " (default: ${DEFAULT-VALUE}).")
  Path contracts;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (base.isBlank() || base.startsWith("-")) {
      throw new ParameterException(
          spec.commandLine(), "--base '" + base + "' is not a git ref; e.g. --base origin/main");
    }
    if (!Files.isDirectory(contracts)) {
      throw new ParameterException(
          spec.commandLine(),
          "--contracts '" + contracts + "' is not a directory; pass the contract folder");
    }
    List<Contract> head;
    try {
      head = GitContracts.fromWorkingTree(contracts);
    } catch (ContractValidationException e) {
      return invalid(err, e, "the contracts in " + contracts);
    }
    List<Contract> baseContracts;
    try {
      Git git = Git.containing(contracts.toAbsolutePath());
      String prefix = git.prefixOf(contracts.toAbsolutePath());
      String commit = git.commit(base);
      baseContracts = GitContracts.atCommit(git, base, commit, prefix);
    } catch (Git.GitException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (ContractValidationException e) {
      return invalid(err, e, "the contracts at " + base);
    }

    ContractDiff diff = ContractDiff.between(baseContracts, head);
    diff.changes().forEach(out::println);
    out.println(summary(diff));
    List<ContractChange> unaccepted = diff.unaccepted();
    if (!unaccepted.isEmpty()) {
      err.printf(
          "error: %d breaking change(s) not accepted; raise the contract's version, or deprecate"
              + " before removing (see the reasons above)%n",
          unaccepted.size());
      return 1;
    }
    return 0;
  }

  private String summary(ContractDiff diff) {
    int changes = diff.changes().size();
    if (changes == 0) {
      return "No changes to the contracts since " + base + ".";
    }
    int breaking = diff.breaking().size();
    int accepted = breaking - diff.unaccepted().size();
    return String.format(
        "%d change(s) since %s: %d compatible, %d breaking (%d accepted)",
        changes, base, changes - breaking, breaking, accepted);
  }

  private static int invalid(PrintWriter err, ContractValidationException e, String which) {
    for (ContractProblem problem : e.problems()) {
      err.println(problem);
    }
    err.printf(
        "error: %s fail validation with %d problem(s); the diff needs valid contracts on both"
            + " sides%n",
        which, e.problems().size());
    return 2;
  }
}
