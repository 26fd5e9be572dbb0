package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expressions written to hurt: huge, deeply nested, with too many nodes, or with regular
 * expressions that would compile for minutes. Each is refused when the contract is loaded, as one
 * problem naming its file, line and field; and what the runtime bounds on its own stops early.
 */
class HostileExpressionsTest {

  /** Where {@link ContractLoaderTest#VALID} gets a filter: line 11, column 5. */
  private static final String FEATURE_AGGREGATION = "    aggregation: count\n";

  @TempDir Path dir;

  @Test
  void aMegabyteExpressionIsRefusedAndQuotedShort() throws IOException {
    String huge = "action == 'play'" + " || action == 'play'".repeat(45_000);
    Path file = withFilter(huge);

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: '"
                + huge.substring(0, 80)
                + "...' (900016 characters) is not valid CEL over behaviour events: expression"
                + " code point size exceeds limit: size: 900016, limit 1000");
  }

  @Test
  void aDeeplyNestedExpressionIsRefused() throws IOException {
    String deep = "(".repeat(450) + "action == 'play'" + ")".repeat(450);
    Path file = withFilter(deep);

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: '"
                + "(".repeat(80)
                + "...' (916 characters) is not valid CEL over behaviour events: Expression"
                + " recursion limit exceeded. limit: 32");
  }

  @Test
  void anExpressionOfTooManyNodesIsRefused() throws IOException {
    String wide = "played_ms in [" + String.join(",", Collections.nCopies(300, "1")) + "]";
    Path file = withFilter(wide);

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: '"
                + wide.substring(0, 80)
                + "...' (614 characters) is not valid CEL over behaviour events: at 1:521:"
                + " expression node limit (256) exceeded");
  }

  @Test
  void aRegexThatWouldCompileForMinutesIsRefusedUncompiled() throws IOException {
    Path file = withFilter("song_id.matches('((a{1000}){1000}){1000}')");

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: 'song_id.matches('((a{1000}){1000}){1000}')' is not"
                + " valid CEL over behaviour events: at 1:17: '((a{1000}){1000}){1000}' expands to"
                + " about 1001001000 regex instructions, more than the 256 an expression may have;"
                + " repeat less");
  }

  @Test
  void theRegexesOfOneExpressionShareOneLimit() throws IOException {
    Path file =
        withFilter(
            "song_id.matches('a{100}') || artist_id.matches('b{100}') ||"
                + " session_id.matches('c{100}')");

    assertThat(problems(file)).hasSize(1);
    assertThat(problems(file).get(0))
        .startsWith(file + ":11:5: features[0].filter: ")
        .endsWith(
            " is not valid CEL over behaviour events: at 1:80: its patterns compile to 306 regex"
                + " instructions by here, more than the 256 an expression may have; simplify them");
  }

  @Test
  void aRegexPatternIsALiteral() throws IOException {
    Path file = withFilter("song_id.matches(artist_id)");

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: 'song_id.matches(artist_id)' is not valid CEL over"
                + " behaviour events: at 1:17: the pattern of matches must be a string literal, so"
                + " that it is checked when the contract is loaded");
  }

  @Test
  void anInvalidRegexIsRefusedWhenLoadedNotSilentlyPerEvent() throws IOException {
    Path file = withFilter("matches(song_id, '(')");

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: 'matches(song_id, '(')' is not valid CEL over"
                + " behaviour events: at 1:18: '(' is not a regular expression: missing closing )");
  }

  @Test
  void everydayRegexesPass() throws IOException {
    String everyday =
        "song_id.matches('^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')"
            + " && session_id.matches('^([0-9]{1,3}\\\\.){3}[0-9]{1,3}$')"
            + " && device.matches('(?i)^(phone|car)$')";

    Contract contract = load(withFilter(everyday));

    assertThat(contract.features().get(0).filter()).isEqualTo(everyday);
  }

  @Test
  void comprehensionsCannotBeWritten() throws IOException {
    Path file = withFilter("tags.exists(tag, tag == 'rock')");

    assertThat(problems(file))
        .containsExactly(
            file
                + ":11:5: features[0].filter: 'tags.exists(tag, tag == 'rock')' is not valid CEL"
                + " over behaviour events: at 1:12: undeclared reference to 'exists'");
  }

  @Test
  void derivedExpressionsHaveTheSameLimits() throws IOException {
    String deep = "(".repeat(36) + "plays" + ")".repeat(36);
    Path file =
        write(
            ContractLoaderTest.VALID.replace(
                "state_ttl: 2h",
                "derived: [{ name: deep, type: long, expression: '"
                    + deep
                    + "' }]\nstate_ttl: 2h"));

    assertThat(problems(file))
        .containsExactly(
            file
                + ":12:37: derived[0].expression: '"
                + deep
                + "' is not valid CEL over this contract's features: Expression recursion limit"
                + " exceeded. limit: 32");
  }

  /**
   * Comprehensions come only from macros, which contracts do not enable; should they ever be, the
   * runtime every program runs on stops nested loops at the iteration budget. Six nested loops over
   * 20 values would run 64 million iterations.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS) // a guard against a hang, not a speed test
  void nestedLoopsStopAtTheIterationBudget() throws Exception {
    CelCompiler withMacros =
        ExpressionLimits.compilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .build();
    String values = "[" + String.join(",", Collections.nCopies(20, "1")) + "]";
    String loops = (values + ".all(x, ").repeat(6) + "true" + ")".repeat(6);
    CelAbstractSyntaxTree ast = withMacros.compile(loops).getAst();

    assertThatThrownBy(() -> ExpressionLimits.RUNTIME.createProgram(ast).eval(Map.of()))
        .isInstanceOf(CelEvaluationException.class)
        .hasMessageContaining("Iteration budget exceeded: 1000");
  }

  /**
   * The runtime also refuses to match with a large regex program; it is the last line behind the
   * checks at load time, which refuse such a pattern before it can reach the runtime.
   */
  @Test
  void theRuntimeRefusesALargeRegexProgram() throws Exception {
    CelCompiler unchecked =
        ExpressionLimits.compilerBuilder().addVar("text", SimpleType.STRING).build();
    CelAbstractSyntaxTree ast = unchecked.compile("text.matches('a{1000}b')").getAst();

    assertThatThrownBy(
            () ->
                ExpressionLimits.RUNTIME.createProgram(ast).eval(Map.of("text", "a".repeat(4096))))
        .isInstanceOf(CelEvaluationException.class)
        .hasMessageContaining(
            "Regex pattern exceeds allowed program size. Allowed: 256, Provided: 1003");
  }

  private Path withFilter(String filter) throws IOException {
    String yaml =
        ContractLoaderTest.VALID.replace(
            FEATURE_AGGREGATION, FEATURE_AGGREGATION + "    filter: " + filter + "\n");
    return write(yaml);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("hostile.yaml"), yaml);
  }

  private static Contract load(Path file) {
    return new ContractLoader().loadFiles(List.of(file)).get(0);
  }

  private static List<String> problems(Path file) {
    try {
      new ContractLoader().loadFiles(List.of(file));
      return List.of();
    } catch (ContractValidationException e) {
      return e.problems().stream().map(ContractProblem::toString).toList();
    }
  }
}
