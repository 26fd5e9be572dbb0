package dev.freshet.contract;

/**
 * One thing wrong with a contract file, where it is and what to do about it.
 *
 * @param line 1-based line of the offending field (of the file's start for whole-file problems)
 * @param column 1-based column of the offending field
 * @param field the path of the offending field, e.g. {@code features[1].window.hop}; empty for
 *     problems of the whole file
 * @param message what is wrong, quoting the offending value, and how to fix it
 */
public record ContractProblem(String file, int line, int column, String field, String message) {

  static ContractProblem ofFile(String file, String message) {
    return new ContractProblem(file, 1, 1, "", message);
  }

  @Override
  public String toString() {
    String where = file + ":" + line + ":" + column + ": ";
    return field.isEmpty() ? where + message : where + field + ": " + message;
  }
}
