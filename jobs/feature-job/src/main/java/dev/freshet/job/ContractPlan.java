package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.DerivedFeature;
import dev.freshet.contract.Feature;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * A contract compiled for the aggregator: the tile length (the greatest common divisor of every
 * window's hop, so every window is a whole number of tiles), and per feature its aggregation and
 * window in milliseconds.
 */
final class ContractPlan implements Serializable {

  final String name;
  final long tileMillis;
  final Aggregation[] aggregations;
  final double[] emptyValues;
  final long[] sizeMillis;
  final long[] hopMillis;
  final long largestWindowMillis;
  final long allowedLatenessMillis;
  final long emitMinIntervalMillis;
  final Duration stateTtl;
  final List<Feature> features;
  final List<String> derivedExpressions;

  private ContractPlan(Contract contract) {
    List<Feature> features = contract.features();
    int count = features.size();
    this.name = contract.id();
    this.aggregations = new Aggregation[count];
    this.emptyValues = new double[count];
    this.sizeMillis = new long[count];
    this.hopMillis = new long[count];
    long gcd = 0;
    for (int f = 0; f < count; f++) {
      Feature feature = features.get(f);
      aggregations[f] = feature.aggregation();
      emptyValues[f] =
          feature.defaultValue() != null
              ? feature.defaultValue()
              : aggregationEmptyValue(feature.aggregation());
      sizeMillis[f] = feature.window().sizeMillis();
      hopMillis[f] = feature.window().hopMillis();
      gcd = gcd(gcd, hopMillis[f]);
    }
    this.tileMillis = gcd;
    this.largestWindowMillis = contract.largestWindowMillis();
    this.allowedLatenessMillis = contract.allowedLateness().toMillis();
    this.emitMinIntervalMillis = contract.emitMinInterval().toMillis();
    this.stateTtl = contract.stateTtl();
    this.features = features;
    this.derivedExpressions = contract.derived().stream().map(DerivedFeature::expression).toList();
  }

  static ContractPlan of(Contract contract) {
    return new ContractPlan(contract);
  }

  int featureCount() {
    return aggregations.length;
  }

  long tileStart(long eventTime) {
    return Math.floorDiv(eventTime, tileMillis) * tileMillis;
  }

  /** The earliest window end of any feature that is at or after {@code time}. */
  long firstWindowEndAtOrAfter(long time) {
    long earliest = Long.MAX_VALUE;
    for (long hop : hopMillis) {
      earliest = Math.min(earliest, Math.floorDiv(time + hop - 1, hop) * hop);
    }
    return earliest;
  }

  boolean closesAt(int feature, long windowEnd) {
    return Math.floorMod(windowEnd, hopMillis[feature]) == 0;
  }

  /** The values of features over windows that hold no events: their defaults. */
  double[] emptyValues() {
    return emptyValues.clone();
  }

  /** What an aggregation gives for no events when the feature declares no default. */
  static double aggregationEmptyValue(Aggregation aggregation) {
    return aggregation == Aggregation.COUNT || aggregation == Aggregation.SUM ? 0 : Double.NaN;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
