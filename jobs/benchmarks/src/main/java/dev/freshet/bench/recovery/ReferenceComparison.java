package dev.freshet.bench.recovery;

import dev.freshet.bench.freshness.ReadyTimes;
import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.job.OfflineRowMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * The tables of a job that was made to fail, against those of a reference run over the same records
 * without failures: every row of a feature time whose input was complete (the failed job must have
 * emitted it) must be there exactly once, with the same values. A bounded reference also emits
 * every later window when its input ends; those are left out.
 *
 * <p>Distinct counts above {@link #EXACT_DISTINCT_COUNTS} are HyperLogLog estimates, which depend
 * on the order sketches were merged in, and a restore changes that order; they match within {@link
 * #DISTINCT_COUNT_TOLERANCE}, three times the sketch's relative standard error. Every other value
 * must be equal.
 *
 * @param rows rows of the reference compared
 * @param missing of those, rows the failed job's tables lack
 * @param extra rows the failed job's tables hold beyond the reference's, doubles included
 */
public record ReferenceComparison(long rows, long missing, long extra) {

  /** Up to this many distinct values, a distinct count is exact (HyperLogLog's list mode). */
  static final long EXACT_DISTINCT_COUNTS = 384;

  /** 3 × 1.04 / √4096: three relative standard errors of the job's HyperLogLog (lgK 12). */
  static final double DISTINCT_COUNT_TOLERANCE = 3 * 1.04 / Math.sqrt(1 << 12);

  public static ReferenceComparison of(
      List<Contract> contracts, DeltaTables tables, DeltaTables reference, ReadyTimes ready)
      throws IOException {
    long compared = 0;
    long missing = 0;
    long extra = 0;
    Set<String> names = new HashSet<>(reference.tableNames());
    names.addAll(tables.tableNames());
    LongPredicate complete = featureTime -> ready.readyAt(featureTime) >= 0;
    for (String table : names) {
      Set<String> estimated = distinctCounts(contracts, table);
      Map<String, List<long[]>> expected =
          reference.rows(table, OfflineRowMapper.FEATURE_TIME_COLUMN, complete, estimated);
      Map<String, List<long[]>> actual =
          tables.rows(table, OfflineRowMapper.FEATURE_TIME_COLUMN, complete, estimated);
      for (Map.Entry<String, List<long[]>> row : expected.entrySet()) {
        List<long[]> unmatched = new ArrayList<>(actual.getOrDefault(row.getKey(), List.of()));
        for (long[] estimates : row.getValue()) {
          compared++;
          if (!unmatched.removeIf(new FirstWithin(estimates))) {
            missing++;
          }
        }
        extra += unmatched.size();
      }
      for (Map.Entry<String, List<long[]>> row : actual.entrySet()) {
        if (!expected.containsKey(row.getKey())) {
          extra += row.getValue().size();
        }
      }
    }
    return new ReferenceComparison(compared, missing, extra);
  }

  private static Set<String> distinctCounts(List<Contract> contracts, String table) {
    Set<String> columns = new HashSet<>();
    contracts.stream()
        .filter(contract -> contract.tableName().equals(table))
        .flatMap(contract -> contract.features().stream())
        .filter(feature -> feature.aggregation() == Aggregation.DISTINCT_COUNT)
        .forEach(feature -> columns.add(feature.name()));
    return columns;
  }

  /** Matches the first row whose distinct counts agree with the given ones, and only that one. */
  static final class FirstWithin implements Predicate<long[]> {
    private final long[] expected;
    private boolean matched;

    FirstWithin(long[] expected) {
      this.expected = expected;
    }

    @Override
    public boolean test(long[] actual) {
      if (matched) {
        return false;
      }
      for (int i = 0; i < expected.length; i++) {
        long a = expected[i];
        long b = actual[i];
        boolean exact = Math.max(a, b) <= EXACT_DISTINCT_COUNTS;
        if (exact ? a != b : Math.abs(a - b) > DISTINCT_COUNT_TOLERANCE * Math.max(a, b)) {
          return false;
        }
      }
      matched = true;
      return true;
    }
  }
}
