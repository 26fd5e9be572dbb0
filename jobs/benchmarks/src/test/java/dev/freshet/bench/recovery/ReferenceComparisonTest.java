package dev.freshet.bench.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceComparisonTest {

  @Test
  void exactDistinctCountsMustBeEqual() {
    assertThat(new ReferenceComparison.FirstWithin(new long[] {384}).test(new long[] {384}))
        .isTrue();
    assertThat(new ReferenceComparison.FirstWithin(new long[] {384}).test(new long[] {383}))
        .isFalse();
    assertThat(new ReferenceComparison.FirstWithin(new long[] {12, 7}).test(new long[] {12, 8}))
        .isFalse();
  }

  @Test
  void estimatedDistinctCountsMatchWithinThreeStandardErrors() {
    assertThat(new ReferenceComparison.FirstWithin(new long[] {1000}).test(new long[] {1048}))
        .as("4.6 % apart")
        .isTrue();
    assertThat(new ReferenceComparison.FirstWithin(new long[] {1000}).test(new long[] {1052}))
        .as("4.9 % apart, beyond 3 × 1.625 %")
        .isFalse();
    assertThat(new ReferenceComparison.FirstWithin(new long[] {380}).test(new long[] {395}))
        .as("one side estimated")
        .isTrue();
  }

  @Test
  void oneExpectedRowMatchesOneActualRowOnly() {
    List<long[]> actual = new ArrayList<>(List.of(new long[] {500}, new long[] {501}));

    assertThat(actual.removeIf(new ReferenceComparison.FirstWithin(new long[] {500}))).isTrue();

    assertThat(actual).hasSize(1);
  }
}
