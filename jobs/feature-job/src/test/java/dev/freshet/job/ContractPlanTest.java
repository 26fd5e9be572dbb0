package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.AdaptiveInterval;
import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Feature;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.Window;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractPlanTest {

  private static final Window LIFETIME = Window.lifetime(Duration.ofSeconds(10));

  @Test
  void identitiesOfExistingFeaturesAreThoseTheirStateIsStoredUnder() {
    // Taken before adaptive_interval existed: checkpoints hold tiles and values under these, so a
    // new aggregation must not change them.
    assertThat(
            ContractPlan.identity(
                Feature.of(
                    "plays",
                    FeatureType.LONG,
                    Aggregation.COUNT,
                    null,
                    null,
                    Window.sliding(Duration.ofSeconds(30), Duration.ofSeconds(10)))))
        .isEqualTo(7818623925537795967L);
    assertThat(
            ContractPlan.identity(
                new Feature(
                    "top",
                    FeatureType.STRING_LIST,
                    Aggregation.TOP_K,
                    "artist_id",
                    "action == 'play'",
                    null,
                    null,
                    Window.lifetime(Duration.ofHours(1)),
                    null,
                    5,
                    null)))
        .isEqualTo(-8672792917388317407L);
  }

  @Test
  void everyAdaptiveParameterIsPartOfTheIdentity() {
    AdaptiveInterval rules = AdaptiveInterval.DEFAULTS;
    List<AdaptiveInterval> variants =
        List.of(
            rules,
            new AdaptiveInterval(
                Duration.ofSeconds(20),
                rules.min(),
                rules.max(),
                rules.quietFactor(),
                rules.busyFactor(),
                rules.busyAt()),
            new AdaptiveInterval(
                rules.initial(),
                Duration.ofSeconds(2),
                rules.max(),
                rules.quietFactor(),
                rules.busyFactor(),
                rules.busyAt()),
            new AdaptiveInterval(
                rules.initial(),
                rules.min(),
                Duration.ofSeconds(301),
                rules.quietFactor(),
                rules.busyFactor(),
                rules.busyAt()),
            new AdaptiveInterval(
                rules.initial(), rules.min(), rules.max(), 2, rules.busyFactor(), rules.busyAt()),
            new AdaptiveInterval(
                rules.initial(),
                rules.min(),
                rules.max(),
                rules.quietFactor(),
                0.5,
                rules.busyAt()),
            new AdaptiveInterval(
                rules.initial(),
                rules.min(),
                rules.max(),
                rules.quietFactor(),
                rules.busyFactor(),
                4));

    List<Long> identities =
        variants.stream()
            .map(
                variant ->
                    ContractPlan.identity(
                        Feature.adaptiveInterval("poll_interval_s", null, variant, LIFETIME)))
            .toList();

    assertThat(identities).doesNotHaveDuplicates();
    assertThat(identities.get(0))
        .isEqualTo(
            ContractPlan.identity(
                Feature.adaptiveInterval(
                    "poll_interval_s",
                    null,
                    new AdaptiveInterval(
                        Duration.ofMillis(10_000),
                        Duration.ofMillis(1_000),
                        Duration.ofMinutes(5),
                        1.5,
                        0.7,
                        3),
                    LIFETIME)));
  }
}
