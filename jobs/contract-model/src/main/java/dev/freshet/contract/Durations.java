package dev.freshet.contract;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as contracts write them: a whole number and a unit, e.g. 500ms, 30s, 10m, 2h, 7d. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  private Durations() {}

  public static Optional<Duration> parse(String text) {
    Matcher matcher = FORMAT.matcher(text.strip());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(matcher.group(1));
    return Optional.of(
        switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        });
  }

  /** The shortest exact spelling, e.g. 600000 ms as "10m". */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    long[] unitMillis = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis != 0 && millis % unitMillis[i] == 0) {
        return millis / unitMillis[i] + units[i];
      }
    }
    return millis + "ms";
  }
}
