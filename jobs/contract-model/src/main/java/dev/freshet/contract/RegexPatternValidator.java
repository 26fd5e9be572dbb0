package dev.freshet.contract;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.bundle.Cel;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.validator.CelAstValidator;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Checks the patterns of CEL's {@code matches} when a contract is loaded. CEL compiles a pattern
 * only when it evaluates the expression, on every event: a syntax error then silently matches
 * nothing, and RE2 expands counted repetitions, so compiling {@code ((a{1000}){1000}){1000}} runs
 * for minutes and ends out of memory. So a pattern must be a string literal (one read from an event
 * would let events choose it), its size is estimated before it is compiled, and the patterns of one
 * expression may together compile to at most {@link ExpressionLimits#MAX_REGEX_PROGRAM_SIZE}
 * instructions, since matching costs about those instructions times the length of the text.
 *
 * <p>Patterns are compiled with re2j, which comes with CEL and is the engine its runtime matches
 * with, so what passes here compiles there to the same program.
 */
final class RegexPatternValidator implements CelAstValidator {

  private static final int LIMIT = ExpressionLimits.MAX_REGEX_PROGRAM_SIZE;

  /** RE2's counted repetitions: {@code {n}}, {@code {n,}} and {@code {n,m}}. */
  private static final java.util.regex.Pattern COUNTED_REPETITION =
      java.util.regex.Pattern.compile("\\{(\\d+)(,(\\d*))?}");

  /** Where sizes stop growing, far above any limit and far below overflow. */
  private static final long SATURATED = 1L << 40;

  @Override
  public void validate(CelNavigableAst ast, Cel cel, IssuesFactory issues) {
    List<CelExpr> patterns =
        ast.getRoot()
            .allNodes()
            .map(CelNavigableExpr::expr)
            .filter(expr -> expr.getKind() == CelExpr.ExprKind.Kind.CALL)
            .filter(expr -> expr.call().function().equals("matches"))
            .map(expr -> expr.call().args().get(expr.call().args().size() - 1))
            .toList();
    int instructions = 0;
    for (CelExpr pattern : patterns) {
      if (pattern.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
        issues.addError(
            pattern.id(),
            "the pattern of matches must be a string literal, so that it is checked when the"
                + " contract is loaded");
        continue;
      }
      String text = pattern.constant().stringValue();
      long estimate = estimatedProgramSize(text);
      if (estimate > LIMIT) {
        issues.addError(
            pattern.id(),
            "'"
                + text
                + "' expands to about "
                + estimate
                + " regex instructions, more than the "
                + LIMIT
                + " an expression may have; repeat less");
        continue;
      }
      try {
        instructions += Pattern.compile(text).programSize();
      } catch (PatternSyntaxException e) {
        issues.addError(
            pattern.id(), "'" + text + "' is not a regular expression: " + e.getDescription());
        continue;
      }
      if (instructions > LIMIT) {
        issues.addError(
            pattern.id(),
            "its patterns compile to "
                + instructions
                + " regex instructions by here, more than the "
                + LIMIT
                + " an expression may have; simplify them");
        return;
      }
    }
  }

  /**
   * About how many instructions RE2 compiles {@code pattern} to, found without compiling it: a
   * character, class or escape counts one, a group what it holds, and a counted repetition
   * multiplies what it repeats by its largest count, so nested repetitions multiply each other.
   * Whatever RE2 would reject anyway may be estimated loosely.
   */
  static long estimatedProgramSize(String pattern) {
    Deque<Sequence> enclosing = new ArrayDeque<>();
    Sequence current = new Sequence();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (pattern.startsWith("\\Q", i)) {
        int end = pattern.indexOf("\\E", i + 2);
        int literalEnd = end < 0 ? pattern.length() : end;
        current.add(literalEnd - (i + 2));
        i = end < 0 ? pattern.length() : end + 2;
      } else if (c == '\\') {
        current.add(1);
        i = escapeEnd(pattern, i);
      } else if (c == '[') {
        current.add(1);
        i = classEnd(pattern, i);
      } else if (c == '(') {
        enclosing.push(current);
        current = new Sequence();
        i++;
      } else if (c == ')' && !enclosing.isEmpty()) {
        long group = current.size();
        current = enclosing.pop();
        current.add(group + 1);
        i++;
      } else {
        Matcher repetition = COUNTED_REPETITION.matcher(pattern).region(i, pattern.length());
        if (c == '{' && repetition.lookingAt()) {
          current.repeatLast(largestCount(repetition));
          i = repetition.end();
        } else {
          current.add(1);
          i++;
        }
      }
    }
    while (!enclosing.isEmpty()) {
      long group = current.size();
      current = enclosing.pop();
      current.add(group);
    }
    return current.size();
  }

  private static long largestCount(Matcher repetition) {
    long least = count(repetition.group(1));
    if (repetition.group(2) == null) {
      return least;
    }
    String most = repetition.group(3);
    return most.isEmpty() ? least + 1 : Math.max(least, count(most));
  }

  private static long count(String digits) {
    return new BigInteger(digits).min(BigInteger.valueOf(SATURATED)).longValueExact();
  }

  /** Just past the escape at {@code start}, including a braced argument as in {@code \p{Greek}}. */
  private static int escapeEnd(String pattern, int start) {
    int end = Math.min(start + 2, pattern.length());
    if (end < pattern.length() && pattern.charAt(end) == '{') {
      int close = pattern.indexOf('}', end);
      return close < 0 ? pattern.length() : close + 1;
    }
    return end;
  }

  /** Just past the character class opening at {@code start}; a leading {@code ]} is literal. */
  private static int classEnd(String pattern, int start) {
    int i = start + 1;
    if (i < pattern.length() && pattern.charAt(i) == '^') {
      i++;
    }
    if (i < pattern.length() && pattern.charAt(i) == ']') {
      i++;
    }
    while (i < pattern.length()) {
      if (pattern.charAt(i) == '\\') {
        i = escapeEnd(pattern, i);
      } else if (pattern.startsWith("[:", i) && pattern.indexOf(":]", i + 2) >= 0) {
        i = pattern.indexOf(":]", i + 2) + 2;
      } else if (pattern.charAt(i) == ']') {
        return i + 1;
      } else {
        i++;
      }
    }
    return i;
  }

  /** The size of a run of pattern elements, keeping its last one apart for a repetition. */
  private static final class Sequence {
    private long beforeLast;
    private long last;

    void add(long size) {
      beforeLast = Math.min(beforeLast + last, SATURATED);
      last = size;
    }

    void repeatLast(long times) {
      last = last > SATURATED / Math.max(times, 1) ? SATURATED : last * Math.max(times, 1);
    }

    long size() {
      return Math.min(beforeLast + last, SATURATED);
    }
  }
}
