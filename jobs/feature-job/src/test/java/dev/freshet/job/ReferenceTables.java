package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.events.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Offline tables compared with the features {@link ReferenceFeatures} computes the slow way. */
final class ReferenceTables {

  private ReferenceTables() {}

  /** The contract's table holds exactly the rows computed from {@code events} the slow way. */
  static void assertTableMatchesReference(
      Path deltaPath, Contract contract, List<? extends Event> events) throws IOException {
    List<FeatureRow> expected = ReferenceFeatures.compute(List.of(contract), events);
    assertDistinctCountsExact(contract, expected);
    // Rows are unique per (entity, feature time): sorted by it, the lists compare in linear time,
    // where an unordered comparison would take quadratic time over 100,000 rows.
    Comparator<FeatureRow> byEntityAndTime =
        Comparator.comparing((FeatureRow row) -> row.entityKey)
            .thenComparingLong(row -> row.featureTime);
    assertThat(
            OfflineTableReader.read(deltaPath, contract).stream().sorted(byEntityAndTime).toList())
        .as(contract.name())
        .isNotEmpty()
        .usingElementComparator(ReferenceTables::compareWithinRounding)
        .containsExactlyElementsOf(expected.stream().sorted(byEntityAndTime).toList());
  }

  /** Distinct counts are exact up to 384 values; beyond that they are estimates. */
  private static void assertDistinctCountsExact(Contract contract, List<FeatureRow> expected) {
    for (int f = 0; f < contract.features().size(); f++) {
      if (contract.features().get(f).aggregation() == Aggregation.DISTINCT_COUNT) {
        int feature = f;
        assertThat(expected)
            .as("%s stays within the sketch's exact range", contract.features().get(f).name())
            .allMatch(row -> Double.isNaN(row.values[feature]) || row.values[feature] <= 384);
      }
    }
  }

  /**
   * Rows are equal when keys and times are, and values agree to 1e-9 relative: sums of doubles (a
   * standard deviation, a ratio of doubles) depend on the order the events were added in.
   */
  static int compareWithinRounding(FeatureRow a, FeatureRow b) {
    boolean same =
        a.contract.equals(b.contract)
            && a.entityKey.equals(b.entityKey)
            && a.featureTime == b.featureTime
            && a.values.length == b.values.length
            && Arrays.deepEquals(a.lists, b.lists);
    for (int i = 0; same && i < a.values.length; i++) {
      double x = a.values[i];
      double y = b.values[i];
      same = Double.isNaN(x) ? Double.isNaN(y) : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
    }
    return same ? 0 : 1;
  }
}
