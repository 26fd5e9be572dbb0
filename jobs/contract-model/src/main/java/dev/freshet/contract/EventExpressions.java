package dev.freshet.contract;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.validator.CelValidator;
import dev.freshet.events.Event;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CEL expressions over the fields of one event stream: every schema field is a variable of its type
 * ({@code string}, {@code int}, {@code bool}, {@code list(string)}), so expressions are
 * type-checked against the schema when a contract is loaded.
 *
 * <p>An event that lacks a field an expression reads has no value for it: a filter reading it does
 * not match, an input reading it adds nothing. That is CEL's evaluation error for an unbound
 * variable, turned into "no value", so optional fields need no special syntax.
 */
public final class EventExpressions {

  private final EventStream stream;
  private final CelCompiler compiler;
  private final CelValidator validator;
  private final Map<String, Program> programs = new HashMap<>();

  private EventExpressions(EventStream stream) {
    this.stream = stream;
    CelCompilerBuilder builder = ExpressionLimits.compilerBuilder();
    for (EventField field : stream.fields()) {
      builder.addVar(field.name(), celType(field));
    }
    this.compiler = builder.build();
    this.validator = ExpressionLimits.validator(compiler);
  }

  public static EventExpressions forStream(EventStream stream) {
    return new EventExpressions(stream);
  }

  public EventStream stream() {
    return stream;
  }

  /** An expression that compiled and type-checked, with its result type. */
  public record Checked(String source, CelAbstractSyntaxTree ast) {
    public CelType resultType() {
      return ast.getResultType();
    }

    public boolean isBoolean() {
      return resultType().equals(SimpleType.BOOL);
    }

    public boolean isNumeric() {
      return resultType().equals(SimpleType.INT) || resultType().equals(SimpleType.DOUBLE);
    }
  }

  /**
   * Parses and type-checks {@code expression}, and holds it to the bounds of contract expressions
   * (length, nesting, size, regular expressions).
   *
   * @return the problem in CEL's words (with the position inside the expression), or the checked
   *     expression
   */
  public Result check(String expression) {
    try {
      return new Result(
          new Checked(expression, ExpressionLimits.compile(compiler, validator, expression)), null);
    } catch (CelValidationException e) {
      return new Result(null, e.getMessage().strip());
    }
  }

  /** Either a checked expression or the reason it is not one. */
  public record Result(Checked checked, String problem) {
    public Optional<Checked> value() {
      return Optional.ofNullable(checked);
    }
  }

  /**
   * A checked expression ready to run on events; not serializable: build it in {@code open()}. Not
   * thread-safe either: it remembers its last result.
   */
  public static final class Program {
    private final CelRuntime.Program program;
    private Map<String, Object> lastFields;
    private Optional<Object> lastValue;
    private CelEvaluationException lastFailure;

    private Program(CelRuntime.Program program) {
      this.program = program;
    }

    /**
     * The value on an event's fields, or empty when the event lacks a field it reads. Given the
     * same map again (the same object, as the job's router passes one map per event to every
     * contract), it answers from memory: features and contracts share expressions, and running CEL
     * is most of the router's work.
     */
    public Optional<Object> evaluate(Map<String, Object> fields) {
      if (fields != lastFields) {
        lastValue = run(fields);
        lastFields = fields;
      }
      return lastValue;
    }

    private Optional<Object> run(Map<String, Object> fields) {
      lastFailure = null;
      try {
        return Optional.ofNullable(program.eval(fields));
      } catch (CelEvaluationException e) {
        lastFailure = e;
        return Optional.empty();
      }
    }

    /**
     * Why the evaluation on {@code fields} (the same map object) failed, e.g. a division by zero,
     * an overflow or the iteration budget; empty when it succeeded or has not run on them. An
     * absent field is no failure: CEL answers it with an unknown, which is no value.
     */
    public Optional<String> failureOn(Map<String, Object> fields) {
      return fields == lastFields && lastFailure != null
          ? Optional.of(lastFailure.getMessage())
          : Optional.empty();
    }

    public boolean matches(Map<String, Object> fields) {
      return evaluate(fields).map(Boolean.TRUE::equals).orElse(false);
    }

    /** The numeric value, or NaN when there is none. */
    public double number(Map<String, Object> fields) {
      return evaluate(fields)
          .filter(Number.class::isInstance)
          .map(value -> ((Number) value).doubleValue())
          .orElse(Double.NaN);
    }
  }

  /**
   * The program of {@code expression}, which the contract loader has already checked; compiled on
   * the first call, the same program on every later call with the same text.
   */
  public Program program(String expression) {
    return programs.computeIfAbsent(expression, this::compile);
  }

  private Program compile(String expression) {
    Result result = check(expression);
    if (result.checked() == null) {
      throw new IllegalArgumentException(
          "expression '" + expression + "' does not compile: " + result.problem());
    }
    try {
      return new Program(ExpressionLimits.RUNTIME.createProgram(result.checked().ast()));
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("expression '" + expression + "' cannot run", e);
    }
  }

  /** The fields of an event as CEL variables; absent optional fields are left unbound. */
  public static Map<String, Object> variables(Event event) {
    Map<String, Object> variables = new HashMap<>();
    for (EventField field : event.stream().fields()) {
      Object value = event.field(field.name());
      if (value != null) {
        variables.put(field.name(), value);
      }
    }
    return variables;
  }

  private static CelType celType(EventField field) {
    return switch (field.type()) {
      case STRING -> SimpleType.STRING;
      case LONG -> SimpleType.INT;
      case BOOLEAN -> SimpleType.BOOL;
      case STRING_LIST -> ListType.create(SimpleType.STRING);
    };
  }
}
