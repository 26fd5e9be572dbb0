package dev.freshet.contract;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when contracts are invalid; carries every problem found, not just the first. */
public class ContractValidationException extends RuntimeException {

  private final List<ContractProblem> problems;

  public ContractValidationException(List<ContractProblem> problems) {
    super(
        problems.size()
            + " problem(s) in feature contracts:\n  "
            + problems.stream().map(ContractProblem::toString).collect(Collectors.joining("\n  ")));
    this.problems = List.copyOf(problems);
  }

  public List<ContractProblem> problems() {
    return problems;
  }
}
