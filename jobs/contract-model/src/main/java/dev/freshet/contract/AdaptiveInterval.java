package dev.freshet.contract;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The parameters of an {@code adaptive_interval} feature: a poll interval that starts at {@code
 * initial}, and at the end of every poll period grows by {@code quietFactor} when the period saw no
 * change, shrinks by {@code busyFactor} when it saw at least {@code busyAt}, and stays otherwise,
 * always within [{@code min}, {@code max}]. See docs/contracts.md, "adaptive_interval".
 *
 * @param initial the first period's length and the interval before any period ends
 * @param min the smallest interval, positive
 * @param max the largest interval, at least {@code initial}
 * @param quietFactor what a period without changes multiplies the interval by; above 1
 * @param busyFactor what a period with {@code busyAt} changes or more multiplies it by; in (0, 1)
 * @param busyAt how many changes make a period busy; at least 1
 */
public record AdaptiveInterval(
    Duration initial, Duration min, Duration max, double quietFactor, double busyFactor, int busyAt)
    implements Serializable {

  /** The parameters of a feature whose {@code adaptive} block is absent or leaves keys out. */
  public static final AdaptiveInterval DEFAULTS =
      new AdaptiveInterval(
          Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(300), 1.5, 0.7, 3);

  /**
   * The parameters as the contract language writes them, e.g. {@code initial 10s, min 1s, max 300s,
   * quiet_factor 1.5, busy_factor 0.7, busy_at 3}.
   */
  public String summary() {
    return "initial "
        + Durations.format(initial)
        + ", min "
        + Durations.format(min)
        + ", max "
        + Durations.format(max)
        + ", quiet_factor "
        + number(quietFactor)
        + ", busy_factor "
        + number(busyFactor)
        + ", busy_at "
        + busyAt;
  }

  /** A factor without trailing zeros: 1.5, 2, 0.7. */
  static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
