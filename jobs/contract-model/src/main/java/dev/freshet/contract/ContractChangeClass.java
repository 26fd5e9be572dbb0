package dev.freshet.contract;

/** Whether a contract change keeps what readers and the running job rely on. */
public enum ContractChangeClass {
  /** Readers, the offline table and the job's state carry on as they are. */
  COMPATIBLE,
  /**
   * Changes what a feature means, removes something readers use, or makes existing state or rows
   * wrong. Accepted only together with a raised {@code version}; see {@link ContractDiff}.
   */
  BREAKING
}
