package dev.freshet.contract;

import java.io.Serializable;
import java.time.Duration;

/**
 * An event-time window. A sliding window of {@code size} closes every {@code hop}; a tumbling
 * window is a sliding one whose hop equals its size. A window [end - size, end) closes when the
 * watermark passes its end.
 */
public record Window(Kind kind, Duration size, Duration hop) implements Serializable {

  public enum Kind {
    SLIDING,
    TUMBLING
  }

  public static Window sliding(Duration size, Duration hop) {
    return new Window(Kind.SLIDING, size, hop);
  }

  public static Window tumbling(Duration size) {
    return new Window(Kind.TUMBLING, size, size);
  }

  public long sizeMillis() {
    return size.toMillis();
  }

  public long hopMillis() {
    return hop.toMillis();
  }
}
