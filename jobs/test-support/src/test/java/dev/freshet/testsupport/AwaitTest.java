package dev.freshet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

  @Test
  void returnsOnceTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();

    Await.until("the third check", Duration.ofSeconds(10), () -> checks.incrementAndGet() == 3);

    assertThat(checks).hasValue(3);
  }

  @Test
  void failsWithTheDescriptionWhenTheConditionNeverHolds() {
    assertThatThrownBy(() -> Await.until("pigs fly", Duration.ofMillis(120), () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessage("Timed out after PT0.12S waiting until pigs fly");
  }

  @Test
  void deadlineCountsDownAndNeverGoesNegative() {
    Deadline deadline = Deadline.after(Duration.ofMillis(50));
    assertThat(deadline.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(50));

    Await.until("the deadline passed", Duration.ofSeconds(10), deadline::hasPassed);

    assertThat(deadline.remaining()).isZero();
    assertThat(deadline.timeout()).isEqualTo(Duration.ofMillis(50));
  }
}
