package dev.freshet.job;

import dev.freshet.contract.AdaptiveInterval;
import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.DerivedFeature;
import dev.freshet.contract.Feature;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A contract compiled for the aggregator: the tile length (the greatest common divisor of every
 * window's hop, so every window is a whole number of tiles), and per feature its aggregation, its
 * window in milliseconds and an identity that outlives changes to the contract's other features.
 */
final class ContractPlan implements Serializable {

  final String name;
  final long tileMillis;
  final Aggregation[] aggregations;
  final long[] featureIds;
  final boolean[] lifetime;
  final int[] k;

  /** Per feature the rules of an adaptive_interval, null for other aggregations. */
  final AdaptiveInterval[] adaptive;

  final boolean hasAdaptive;
  final double[] emptyNumbers;
  final boolean hasLists;
  final long[] sizeMillis;
  final long[] hopMillis;
  final long tileHorizonMillis;
  final long allowedLatenessMillis;
  final long emitMinIntervalMillis;

  /** The contract's state_ttl, or null when the job runs without state TTL (benchmarks). */
  final Duration stateTtl;

  final long freshnessSlaMillis;
  final List<Feature> features;
  final List<String> derivedExpressions;

  private ContractPlan(Contract contract, boolean withStateTtl) {
    List<Feature> features = contract.features();
    int count = features.size();
    this.name = contract.id();
    this.aggregations = new Aggregation[count];
    this.featureIds = new long[count];
    this.lifetime = new boolean[count];
    this.k = new int[count];
    this.adaptive = new AdaptiveInterval[count];
    this.emptyNumbers = new double[count];
    this.sizeMillis = new long[count];
    this.hopMillis = new long[count];
    long gcd = 0;
    boolean lists = false;
    boolean anyAdaptive = false;
    for (int f = 0; f < count; f++) {
      Feature feature = features.get(f);
      aggregations[f] = feature.aggregation();
      featureIds[f] = identity(feature);
      lifetime[f] = feature.window().isLifetime();
      k[f] = feature.k() == null ? 0 : feature.k();
      adaptive[f] = feature.adaptive();
      anyAdaptive |= feature.adaptive() != null;
      lists |= feature.aggregation() == Aggregation.TOP_K;
      emptyNumbers[f] =
          feature.defaultValue() != null
              ? feature.defaultValue()
              : aggregationEmptyValue(feature.aggregation());
      sizeMillis[f] = lifetime[f] ? 0 : feature.window().sizeMillis();
      hopMillis[f] = feature.window().hopMillis();
      gcd = gcd(gcd, hopMillis[f]);
    }
    this.hasLists = lists;
    this.hasAdaptive = anyAdaptive;
    this.tileMillis = gcd;
    this.allowedLatenessMillis = contract.allowedLateness().toMillis();
    // A lifetime window never closes, so its tiles stay for the allowed lateness too: a late
    // event still lands in a tile and reaches the running total.
    long horizon = contract.largestWindowMillis();
    for (int f = 0; f < count; f++) {
      if (lifetime[f]) {
        horizon = Math.max(horizon, hopMillis[f] + allowedLatenessMillis);
      }
    }
    this.tileHorizonMillis = horizon;
    this.emitMinIntervalMillis = contract.emitMinInterval().toMillis();
    this.stateTtl = withStateTtl ? contract.stateTtl() : null;
    this.freshnessSlaMillis = contract.freshnessSla().toMillis();
    this.features = features;
    this.derivedExpressions = contract.derived().stream().map(DerivedFeature::expression).toList();
  }

  static ContractPlan of(Contract contract) {
    return new ContractPlan(contract, true);
  }

  /** The plan with no state TTL: to measure what the TTL costs, never for production. */
  static ContractPlan withoutStateTtl(Contract contract) {
    return new ContractPlan(contract, false);
  }

  int featureCount() {
    return aggregations.length;
  }

  /** The slot of the feature with this identity, or -1 when the contract no longer has it. */
  int slotOf(long featureId) {
    for (int f = 0; f < featureIds.length; f++) {
      if (featureIds[f] == featureId) {
        return f;
      }
    }
    return -1;
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
  FeatureValues emptyValues() {
    String[][] lists = null;
    if (hasLists) {
      lists = new String[featureCount()][];
      for (int f = 0; f < featureCount(); f++) {
        if (aggregations[f] == Aggregation.TOP_K) {
          lists[f] = new String[0];
        }
      }
    }
    return new FeatureValues(featureIds, emptyNumbers.clone(), lists);
  }

  /** What an aggregation gives for no events when the feature declares no default. */
  static double aggregationEmptyValue(Aggregation aggregation) {
    return switch (aggregation) {
      case COUNT, SUM, DISTINCT_COUNT -> 0;
      default -> Double.NaN;
    };
  }

  /**
   * A feature's identity in state: a hash of everything that decides its values (not its type,
   * which only decides how they are written). A feature whose definition changes is a new feature
   * and starts empty; the others keep their state whatever happens around them. The parameters of
   * an adaptive_interval are appended only for that aggregation, so the identities of all other
   * features are those they had before it existed.
   */
  static long identity(Feature feature) {
    String definition =
        String.join(
            "\u0000",
            feature.name(),
            feature.aggregation().name(),
            String.valueOf(feature.input()),
            String.valueOf(feature.filter()),
            String.valueOf(feature.numerator()),
            String.valueOf(feature.denominator()),
            feature.window().kind().name(),
            String.valueOf(feature.window().size()),
            String.valueOf(feature.window().hop()),
            String.valueOf(feature.k()));
    AdaptiveInterval rules = feature.adaptive();
    if (rules != null) {
      definition =
          String.join(
              "\u0000",
              definition,
              String.valueOf(rules.initial().toMillis()),
              String.valueOf(rules.min().toMillis()),
              String.valueOf(rules.max().toMillis()),
              Double.toString(rules.quietFactor()),
              Double.toString(rules.busyFactor()),
              String.valueOf(rules.busyAt()));
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(definition.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(Arrays.copyOf(digest, Long.BYTES)).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
