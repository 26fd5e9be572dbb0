package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.events.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Offline tables compared with the features {@link ReferenceFeatures} computes the slow way. */
final class ReferenceTables {

  private ReferenceTables() {}

  /** Differences listed in a failure's message; the count covers them all. */
  private static final int DIFFERENCES_SHOWN = 20;

  private static final Comparator<FeatureRow> BY_ENTITY_AND_TIME =
      Comparator.comparing((FeatureRow row) -> row.entityKey)
          .thenComparingLong(row -> row.featureTime);

  /** The contract's table holds exactly the rows computed from {@code events} the slow way. */
  static void assertTableMatchesReference(
      Path deltaPath, Contract contract, List<? extends Event> events) throws IOException {
    List<FeatureRow> expected = ReferenceFeatures.compute(List.of(contract), events);
    assertDistinctCountsExact(contract, expected);
    List<FeatureRow> actual = OfflineTableReader.read(deltaPath, contract);
    assertThat(actual).as(contract.name()).isNotEmpty();
    List<String> differences = differences(actual, expected);
    assertThat(differences)
        .as(
            "%s: rows differing from the reference, %d rows read, %d expected",
            contract.name(), actual.size(), expected.size())
        .isEmpty();
  }

  /**
   * Rows are unique per (entity, feature time), so both sides sorted by it are compared in one
   * walk; AssertJ's unordered comparison takes quadratic time, hours over a million-event run's two
   * million rows. A row twice in {@code actual} shows as an extra row.
   */
  static List<String> differences(List<FeatureRow> actual, List<FeatureRow> expected) {
    List<FeatureRow> got = actual.stream().sorted(BY_ENTITY_AND_TIME).toList();
    List<FeatureRow> want = expected.stream().sorted(BY_ENTITY_AND_TIME).toList();
    List<String> shown = new ArrayList<>();
    int count = 0;
    int g = 0;
    int w = 0;
    while (g < got.size() || w < want.size()) {
      int order =
          g == got.size()
              ? 1
              : w == want.size() ? -1 : BY_ENTITY_AND_TIME.compare(got.get(g), want.get(w));
      String difference = null;
      if (order < 0) {
        difference = "extra " + got.get(g++);
      } else if (order > 0) {
        difference = "missing " + want.get(w++);
      } else {
        FeatureRow row = got.get(g++);
        FeatureRow reference = want.get(w++);
        if (compareWithinRounding(row, reference) != 0) {
          difference = row + ", expected " + reference;
        }
      }
      if (difference != null && count++ < DIFFERENCES_SHOWN) {
        shown.add(difference);
      }
    }
    if (count > shown.size()) {
      shown.add("… and " + (count - shown.size()) + " more");
    }
    return shown;
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
