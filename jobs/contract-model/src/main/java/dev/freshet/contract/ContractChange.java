package dev.freshet.contract;

/**
 * One difference between the base and the head version of a contract.
 *
 * @param contract the contract's name
 * @param path the field that changed, e.g. {@code features[plays_1m].window}; {@code contract} for
 *     a contract added or removed as a whole
 * @param before the base value as text, {@value ContractDiff#NONE} when it was absent
 * @param after the head value as text, {@value ContractDiff#NONE} when it is absent
 * @param changeClass whether the change is compatible or breaking
 * @param accepted whether the change may go in: every compatible change, and a breaking change
 *     whose contract raised its version
 * @param reason one line: why the change has its class and, for a breaking one, what to do
 */
public record ContractChange(
    String contract,
    String path,
    String before,
    String after,
    ContractChangeClass changeClass,
    boolean accepted,
    String reason) {

  public boolean isBreaking() {
    return changeClass == ContractChangeClass.BREAKING;
  }

  /** {@code BREAKING <contract> <path>: <before> -> <after> (<reason>)}. */
  @Override
  public String toString() {
    return changeClass
        + "  "
        + contract
        + "  "
        + path
        + ": "
        + before
        + " -> "
        + after
        + "  ("
        + reason
        + ")";
  }
}
