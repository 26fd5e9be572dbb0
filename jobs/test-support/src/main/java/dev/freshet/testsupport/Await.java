package dev.freshet.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition instead of sleeping for a guessed time. */
public final class Await {

  /** Short, so that a test goes on soon after its condition holds. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; checks it one last time at the deadline. An
   * exception thrown by the condition ends the wait at once.
   *
   * @param description what is awaited, for the failure message
   * @throws AssertionError if the condition does not hold within {@code timeout}
   */
  public static void until(String description, Duration timeout, BooleanSupplier condition) {
    until(description, timeout, POLL_INTERVAL, condition);
  }

  /**
   * As {@link #until(String, Duration, BooleanSupplier)}, checking every {@code pollInterval}: for
   * a condition that costs a server several requests, over a wait of minutes.
   */
  public static void until(
      String description, Duration timeout, Duration pollInterval, BooleanSupplier condition) {
    Deadline deadline = Deadline.after(timeout);
    while (!condition.getAsBoolean()) {
      if (deadline.hasPassed()) {
        throw new AssertionError("Timed out after " + timeout + " waiting until " + description);
      }
      pause(min(pollInterval, deadline.remaining()));
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting", e);
    }
  }
}
