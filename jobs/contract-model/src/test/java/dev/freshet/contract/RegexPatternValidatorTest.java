package dev.freshet.contract;

import static dev.freshet.contract.RegexPatternValidator.estimatedProgramSize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The size estimate that keeps a pattern from being compiled when it would expand too far. */
class RegexPatternValidatorTest {

  @Test
  void charactersClassesAndEscapesCountOneEach() {
    assertThat(estimatedProgramSize("abc")).isEqualTo(3);
    assertThat(estimatedProgramSize("[a-z]\\d\\p{Greek}[]a][^]a][[:alpha:]]")).isEqualTo(6);
  }

  @Test
  void repetitionsInSequenceAdd() {
    assertThat(estimatedProgramSize("[0-9a-f]{8}-[0-9a-f]{4}")).isEqualTo(13);
    assertThat(estimatedProgramSize("a{3,}b{2,5}")).isEqualTo(9);
  }

  @Test
  void nestedRepetitionsMultiply() {
    assertThat(estimatedProgramSize("((a{10}){10}){10}")).isEqualTo(1110);
  }

  @Test
  void parenthesesAndBracesInsideClassesAndQuotesAreCharacters() {
    assertThat(estimatedProgramSize("(a{10}[)]){10}")).isEqualTo(120);
    assertThat(estimatedProgramSize("\\Q(\\E{1000}")).isEqualTo(1000);
    assertThat(estimatedProgramSize("[{]")).isEqualTo(1);
  }

  @Test
  void hugeCountsSaturateInsteadOfOverflowing() {
    assertThat(estimatedProgramSize("((a{0001000}){99999999999999999999}){1000}"))
        .isEqualTo(1L << 40);
  }
}
