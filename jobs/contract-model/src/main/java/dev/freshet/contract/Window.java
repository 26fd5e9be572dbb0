package dev.freshet.contract;

import java.io.Serializable;
import java.time.Duration;

/**
 * An event-time window. A sliding window of {@code size} closes every {@code hop}; a tumbling
 * window is a sliding one whose hop equals its size. A window [end - size, end) closes when the
 * watermark passes its end. A lifetime window has no size: at every {@code hop} it covers all of an
 * entity's events before its end, for as long as the entity's state lives.
 *
 * @param size null for a lifetime window
 */
public record Window(Kind kind, Duration size, Duration hop) implements Serializable {

  public enum Kind {
    SLIDING,
    TUMBLING,
    LIFETIME
  }

  public static Window sliding(Duration size, Duration hop) {
    return new Window(Kind.SLIDING, size, hop);
  }

  public static Window tumbling(Duration size) {
    return new Window(Kind.TUMBLING, size, size);
  }

  public static Window lifetime(Duration hop) {
    return new Window(Kind.LIFETIME, null, hop);
  }

  public boolean isLifetime() {
    return kind == Kind.LIFETIME;
  }

  /** The window's length; a lifetime window has none. */
  public long sizeMillis() {
    if (isLifetime()) {
      throw new IllegalStateException("a lifetime window has no size");
    }
    return size.toMillis();
  }

  public long hopMillis() {
    return hop.toMillis();
  }

  /**
   * How long after its start an event's time slice is still read by this window: its size, or its
   * hop for a lifetime window, which folds older slices into a running total.
   */
  public long retentionMillis() {
    return isLifetime() ? hopMillis() : sizeMillis();
  }
}
