package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceTablesTest {

  private static FeatureRow row(String entity, long time, double value) {
    return new FeatureRow("plays", entity, time, new double[] {value});
  }

  @Test
  void equalTablesInAnyOrderHaveNoDifferences() {
    List<FeatureRow> reference = List.of(row("a", 1, 1.0), row("a", 2, 2.0), row("b", 1, 3.0));
    List<FeatureRow> table = List.of(row("b", 1, 3.0), row("a", 2, 2.0), row("a", 1, 1.0));

    assertThat(ReferenceTables.differences(table, reference)).isEmpty();
  }

  @Test
  void namesMissingExtraDoubledAndDifferentRows() {
    List<FeatureRow> reference = List.of(row("a", 1, 1.0), row("a", 2, 2.0), row("b", 1, 3.0));
    List<FeatureRow> table =
        List.of(row("a", 1, 1.0), row("a", 1, 1.0), row("b", 1, 4.0), row("c", 9, 0.0));

    assertThat(ReferenceTables.differences(table, reference))
        .containsExactly(
            "extra " + row("a", 1, 1.0),
            "missing " + row("a", 2, 2.0),
            row("b", 1, 4.0) + ", expected " + row("b", 1, 3.0),
            "extra " + row("c", 9, 0.0));
  }

  @Test
  void valuesWithinRoundingAreEqual() {
    assertThat(
            ReferenceTables.differences(List.of(row("a", 1, 0.1 + 0.2)), List.of(row("a", 1, 0.3))))
        .isEmpty();
  }

  @Test
  void showsTheFirstTwentyDifferencesAndCountsTheRest() {
    List<FeatureRow> table = new ArrayList<>();
    for (int t = 0; t < 25; t++) {
      table.add(row("a", t, t));
    }

    List<String> differences = ReferenceTables.differences(table, List.of());

    assertThat(differences).hasSize(21).endsWith("… and 5 more");
  }
}
