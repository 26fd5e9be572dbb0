package dev.freshet.testsupport;

import java.time.Duration;

/** A point in time after which a test stops waiting, measured on the monotonic clock. */
public final class Deadline {

  private final Duration timeout;
  private final long deadlineNanos;

  private Deadline(Duration timeout) {
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  public static Deadline after(Duration timeout) {
    return new Deadline(timeout);
  }

  /** The duration this deadline was created with, for messages. */
  public Duration timeout() {
    return timeout;
  }

  public boolean hasPassed() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  /** The time left, never negative. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }
}
