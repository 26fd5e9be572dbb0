package dev.freshet.contract;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.validator.CelValidator;
import dev.cel.validator.CelValidatorFactory;

/**
 * CEL set up with the bounds every contract expression is held to, so that a hostile contract is
 * refused while it is loaded, in milliseconds and with little memory, and an expression that passes
 * does bounded work per event.
 *
 * <p>Contract expressions have no loops: CEL's comprehensions come only from its macros ({@code
 * all}, {@code exists}, {@code map}, ...), which the compilers here do not enable. Each node of an
 * expression is then evaluated at most once per event, over event fields of bounded size (see
 * {@code EventDecoder}), so bounding the text, its nesting and its nodes bounds the work; regular
 * expressions are the exception, bounded by {@link RegexPatternValidator}.
 */
final class ExpressionLimits {

  /** Longest expression, in code points; the project's longest has about 100. */
  static final int MAX_CODE_POINTS = 1_000;

  /**
   * Deepest nesting the parser follows (parentheses, calls, operators). A chain such as {@code a +
   * b + c} nests one level per operator, so this also caps how far one evaluation can grow a string
   * or a list by concatenation.
   */
  static final int MAX_NESTING = 32;

  /** Most nodes of a parsed expression. */
  static final int MAX_NODES = 256;

  /** Most instructions the regular expressions of one expression may compile to, all together. */
  static final int MAX_REGEX_PROGRAM_SIZE = 256;

  /**
   * Most comprehension iterations of one evaluation, nested ones included. No contract expression
   * can hold a comprehension (no macros); should macros ever be enabled, this stops nested loops
   * early and still lets one loop run over the longest list an event may have ({@code
   * EventDecoder.MAX_LIST_ELEMENTS}, 256).
   */
  static final int MAX_COMPREHENSION_ITERATIONS = 1_000;

  /** CEL's current defaults (those of its standard builders) plus the bounds above. */
  static final CelOptions OPTIONS =
      CelOptions.current()
          .maxExpressionCodePointSize(MAX_CODE_POINTS)
          .maxParseRecursionDepth(MAX_NESTING)
          .maxParseExpressionNodeCount(MAX_NODES)
          .maxRegexProgramSize(MAX_REGEX_PROGRAM_SIZE)
          .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
          .build();

  /** Runs checked expressions; immutable, so one serves every program. */
  static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private ExpressionLimits() {}

  /** A compiler builder with the parse bounds; the caller declares the variables. */
  static CelCompilerBuilder compilerBuilder() {
    return CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS);
  }

  /** A checker of the bounds the parser cannot see: those of regular expressions. */
  static CelValidator validator(CelCompiler compiler) {
    return CelValidatorFactory.standardCelValidatorBuilder(compiler, RUNTIME)
        .addAstValidators(new RegexPatternValidator())
        .build();
  }

  /** Parses, type-checks and bounds-checks {@code expression}. */
  static CelAbstractSyntaxTree compile(
      CelCompiler compiler, CelValidator validator, String expression)
      throws CelValidationException {
    return validator.validate(compiler.compile(expression).getAst()).getAst();
  }
}
