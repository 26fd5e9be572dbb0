package dev.freshet.contract;

/**
 * One thing wrong with a contract file.
 *
 * @param field the path of the offending field, e.g. {@code features[1].window.hop}; empty for
 *     problems of the whole file
 */
public record ContractProblem(String file, String field, String message) {

  @Override
  public String toString() {
    return field.isEmpty() ? file + ": " + message : file + ": " + field + ": " + message;
  }
}
