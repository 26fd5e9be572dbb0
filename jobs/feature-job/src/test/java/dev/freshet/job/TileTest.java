package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.freshet.contract.Aggregation;
import java.util.SplittableRandom;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class TileTest {

  private static final Aggregation[] STDDEV = {Aggregation.STDDEV};

  @Test
  void deviationsOfLargeCloseValuesKeepTheirDigitsWithinATileAndAcrossMerges() {
    // File sizes of some megabytes that differ by a few hundred bytes: a sum of squares minus the
    // squared mean would lose about eight of the sixteen digits here.
    SplittableRandom random = new SplittableRandom(3);
    double[] values = new double[1_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = 3_000_000 + random.nextInt(700);
    }
    Tile whole = Tile.empty(new long[] {1});
    Tile firstHalf = Tile.empty(new long[] {1});
    Tile secondHalf = Tile.empty(new long[] {1});
    for (int i = 0; i < values.length; i++) {
      whole.add(input(values[i]), STDDEV);
      (i < 300 ? firstHalf : secondHalf).add(input(values[i]), STDDEV);
    }
    firstHalf.merge(0, secondHalf, 0, Aggregation.STDDEV);

    double exact = exactSquaredDeviations(values);
    assertThat(whole.squaredDeviations[0]).isCloseTo(exact, within(exact * 1e-12));
    assertThat(firstHalf.squaredDeviations[0]).isCloseTo(exact, within(exact * 1e-12));
    assertThat(firstHalf.counts[0]).isEqualTo(values.length);
  }

  @Test
  void anEmptySideAddsNothingToTheDeviations() {
    Tile tile = Tile.empty(new long[] {1});
    tile.add(input(2), STDDEV);
    tile.add(input(4), STDDEV);

    tile.merge(0, Tile.empty(new long[] {1}), 0, Aggregation.STDDEV);
    Tile empty = Tile.empty(new long[] {1});
    empty.merge(0, tile, 0, Aggregation.STDDEV);

    assertThat(tile.squaredDeviations[0]).isEqualTo(2.0);
    assertThat(empty.squaredDeviations[0]).isEqualTo(2.0);
  }

  /** Two passes: the mean first, then the deviations from it. */
  private static double exactSquaredDeviations(double[] values) {
    double mean = DoubleStream.of(values).sum() / values.length;
    return DoubleStream.of(values).map(v -> (v - mean) * (v - mean)).sum();
  }

  private static FeatureInput input(double value) {
    return new FeatureInput("c_v1", "e", 0, new double[] {value}, null);
  }
}
