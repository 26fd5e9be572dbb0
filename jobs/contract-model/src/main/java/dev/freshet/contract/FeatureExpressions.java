package dev.freshet.contract;

import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.validator.CelValidator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CEL over the aggregated features of one contract: each feature is a variable of its type ({@code
 * int} for long features, {@code double} for double ones, {@code list(string)} for string lists). A
 * feature without a value leaves its variable unbound, and an expression reading it has no value
 * either.
 */
public final class FeatureExpressions {

  private final List<Feature> features;
  private final CelCompiler compiler;
  private final CelValidator validator;

  public FeatureExpressions(List<Feature> features) {
    this.features = List.copyOf(features);
    CelCompilerBuilder builder = ExpressionLimits.compilerBuilder();
    for (Feature feature : features) {
      builder.addVar(feature.name(), celType(feature.type()));
    }
    this.compiler = builder.build();
    this.validator = ExpressionLimits.validator(compiler);
  }

  private static CelType celType(FeatureType type) {
    return switch (type) {
      case LONG -> SimpleType.INT;
      case DOUBLE -> SimpleType.DOUBLE;
      case STRING_LIST -> ListType.create(SimpleType.STRING);
    };
  }

  /**
   * The result type of {@code expression}, or the reason it does not compile or exceeds the bounds
   * of contract expressions (length, nesting, size, regular expressions).
   */
  public CelType check(String expression) throws CelValidationException {
    return ExpressionLimits.compile(compiler, validator, expression).getResultType();
  }

  /** A derived feature's expression, compiled; not serializable: build it in {@code open()}. */
  public final class Program {
    private final CelRuntime.Program program;

    private Program(CelRuntime.Program program) {
      this.program = program;
    }

    /**
     * The value over the features' values, or NaN when the expression reads a feature without a
     * value or fails (an integer division by zero).
     *
     * @param numbers per feature its number, NaN for none; ignored for string-list features
     * @param lists per feature its list for string-list features; null when the contract has none
     */
    public double evaluate(double[] numbers, String[][] lists) {
      Map<String, Object> variables = new HashMap<>();
      for (int f = 0; f < features.size(); f++) {
        Feature feature = features.get(f);
        switch (feature.type()) {
          case STRING_LIST -> {
            if (lists != null && lists[f] != null) {
              variables.put(feature.name(), Arrays.asList(lists[f]));
            }
          }
          case LONG -> {
            if (!Double.isNaN(numbers[f])) {
              variables.put(feature.name(), (long) numbers[f]);
            }
          }
          case DOUBLE -> {
            if (!Double.isNaN(numbers[f])) {
              variables.put(feature.name(), numbers[f]);
            }
          }
        }
      }
      try {
        Object result = program.eval(variables);
        return result instanceof Number number ? number.doubleValue() : Double.NaN;
      } catch (CelEvaluationException e) {
        return Double.NaN;
      }
    }
  }

  public Program program(String expression) {
    try {
      return new Program(
          ExpressionLimits.RUNTIME.createProgram(
              ExpressionLimits.compile(compiler, validator, expression)));
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(
          "derived expression '" + expression + "' does not compile: " + e.getMessage(), e);
    }
  }
}
