package dev.freshet.bench.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.bench.results.Plot;
import org.junit.jupiter.api.Test;

class LatenciesTest {

  @Test
  void percentilesCountEachLatencyAsOftenAsItOccurred() {
    Latencies latencies = new Latencies();
    latencies.add(900, 1);
    latencies.add(100, 98);
    latencies.add(500, 1);

    assertThat(latencies.count()).isEqualTo(100);
    assertThat(latencies.percentile(50)).isEqualTo(100);
    assertThat(latencies.percentile(98)).isEqualTo(100);
    assertThat(latencies.percentile(99)).isEqualTo(500);
    assertThat(latencies.percentile(100)).isEqualTo(900);
  }

  @Test
  void theCdfHasOnePointPerDistinctLatencyEndingAtOne() {
    Latencies latencies = new Latencies();
    latencies.add(20, 1);
    latencies.add(10, 2);
    latencies.add(20, 1);
    Latencies more = new Latencies();
    more.add(40, 4);
    latencies.addAll(more);

    Plot.Series cdf = latencies.cdf("online");

    assertThat(cdf.x()).containsExactly(10, 20, 40);
    assertThat(cdf.y()).containsExactly(0.25, 0.5, 1.0);
  }

  @Test
  void noLatenciesHaveNoPercentile() {
    Latencies latencies = new Latencies();
    latencies.add(5, 0);

    assertThat(latencies.count()).isZero();
    assertThatThrownBy(() -> latencies.percentile(50)).isInstanceOf(IllegalStateException.class);
  }
}
