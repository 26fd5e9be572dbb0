package dev.freshet.job;

import dev.freshet.contract.AdaptiveInterval;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The poll-interval recurrence of {@code adaptive_interval} features, over an {@link AdaptiveState}
 * and the map of buffered event times (event time to count per slot) that goes with it.
 *
 * <p>Per slot: the first accepted event at t0 opens the period [t0, t0 + initial) once the
 * watermark has passed t0 (until then an earlier event may still come and open it instead), with
 * the interval I = initial in milliseconds. When the watermark passes a period's end, the period is
 * judged by its n accepted events: none multiplies I by the quiet factor, at least busy_at by the
 * busy factor, any other number keeps it; I is then clamped to [min, max], and the next period is
 * [end, end + round(I)). An event before the current period's end counts in the current period (an
 * event behind the watermark whose own period was already judged, too); a later one is buffered
 * until its period opens. The value at a window end T is I / 1000 after every period that ended at
 * or before T.
 */
final class AdaptiveIntervals {

  private AdaptiveIntervals() {}

  /**
   * Counts an accepted event of slot {@code f}: in the current period when it lies before its end;
   * otherwise the caller buffers it, and this returns true.
   */
  static boolean count(AdaptiveState state, int f, long eventTime) {
    if (state.hasPeriod(f) && eventTime < state.periodEnds[f]) {
      state.counts[f]++;
      return false;
    }
    state.buffered[f]++;
    if (!state.hasPeriod(f)) {
      state.openedAt[f] = Math.min(state.openedAt[f], eventTime);
    }
    return true;
  }

  /** Whether {@link #advance} up to {@code until} has anything to do. */
  static boolean isDue(ContractPlan plan, AdaptiveState state, long until) {
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] != null && isDue(state, f, until)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@link #advance} up to {@code until} reads the buffered event times. */
  static boolean needsBuffered(ContractPlan plan, AdaptiveState state, long until) {
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] != null && state.buffered[f] > 0 && isDue(state, f, until)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDue(AdaptiveState state, int f, long until) {
    return state.hasPeriod(f)
        ? state.periodEnds[f] <= until
        : state.buffered[f] > 0 && state.openedAt[f] < until;
  }

  /**
   * Opens the first period of every slot whose first event lies before {@code until}, and judges
   * every period that ends at or before {@code until}, in order. Buffered events move into the
   * periods they fall in as those open. {@code buffered} may be null when {@link #needsBuffered} is
   * false.
   */
  static void advance(
      ContractPlan plan, AdaptiveState state, NavigableMap<Long, long[]> buffered, long until) {
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] != null) {
        advance(plan.adaptive[f], state, f, buffered, until);
      }
    }
  }

  private static void advance(
      AdaptiveInterval rules,
      AdaptiveState state,
      int f,
      NavigableMap<Long, long[]> buffered,
      long until) {
    if (!state.hasPeriod(f)) {
      if (state.buffered[f] == 0 || state.openedAt[f] >= until) {
        return;
      }
      state.intervals[f] = rules.initial().toMillis();
      state.periodStarts[f] = state.openedAt[f];
      state.periodEnds[f] = state.openedAt[f] + rules.initial().toMillis();
      state.counts[f] = take(buffered, state, f, state.periodEnds[f]);
    }
    double max = rules.max().toMillis();
    while (state.periodEnds[f] <= until) {
      double interval = judge(rules, state.intervals[f], state.counts[f]);
      long length = Math.round(interval);
      state.intervals[f] = interval;
      state.periodStarts[f] = state.periodEnds[f];
      state.periodEnds[f] = state.periodStarts[f] + length;
      state.counts[f] = take(buffered, state, f, state.periodEnds[f]);
      if (interval == max && state.counts[f] == 0) {
        // Quiet periods at the largest interval leave it there: skip the whole ones that end by
        // `until` and hold no buffered event, rather than judging them one by one.
        long horizon = Math.min(until, nextBuffered(buffered, state, f));
        long skipped = (horizon - state.periodStarts[f]) / length;
        if (skipped > 0) {
          state.periodStarts[f] += skipped * length;
          state.periodEnds[f] = state.periodStarts[f] + length;
          state.counts[f] = take(buffered, state, f, state.periodEnds[f]);
        }
      }
    }
  }

  /** The interval after a period of {@code changes} accepted events. */
  static double judge(AdaptiveInterval rules, double interval, long changes) {
    double next = interval;
    if (changes == 0) {
      next = interval * rules.quietFactor();
    } else if (changes >= rules.busyAt()) {
      next = interval * rules.busyFactor();
    }
    return Math.min(rules.max().toMillis(), Math.max(rules.min().toMillis(), next));
  }

  /**
   * Removes slot {@code f}'s buffered events before {@code end} and returns how many there were.
   */
  private static long take(
      NavigableMap<Long, long[]> buffered, AdaptiveState state, int f, long end) {
    if (state.buffered[f] == 0) {
      return 0;
    }
    long taken = 0;
    Iterator<Map.Entry<Long, long[]>> entries = buffered.headMap(end, false).entrySet().iterator();
    while (entries.hasNext()) {
      long[] counts = entries.next().getValue();
      taken += counts[f];
      counts[f] = 0;
      if (isZero(counts)) {
        entries.remove();
      }
    }
    state.buffered[f] -= taken;
    return taken;
  }

  private static long nextBuffered(
      NavigableMap<Long, long[]> buffered, AdaptiveState state, int f) {
    if (state.buffered[f] == 0) {
      return Long.MAX_VALUE;
    }
    for (Map.Entry<Long, long[]> entry : buffered.entrySet()) {
      if (entry.getValue()[f] > 0) {
        return entry.getKey();
      }
    }
    return Long.MAX_VALUE;
  }

  /**
   * Makes the per-slot buffered counts (and, before a period, the earliest buffered time) those of
   * {@code buffered} as read: state TTL may have expired event times the counts still name.
   */
  static void recount(ContractPlan plan, AdaptiveState state, NavigableMap<Long, long[]> buffered) {
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] == null) {
        continue;
      }
      long count = 0;
      long earliest = Long.MAX_VALUE;
      for (Map.Entry<Long, long[]> entry : buffered.entrySet()) {
        count += entry.getValue()[f];
        if (entry.getValue()[f] > 0) {
          earliest = Math.min(earliest, entry.getKey());
        }
      }
      state.buffered[f] = count;
      if (!state.hasPeriod(f)) {
        state.openedAt[f] = earliest;
      }
    }
  }

  /** The value of slot {@code f} at the window end {@code windowEnd}: seconds, or NaN for none. */
  static double valueAt(AdaptiveState state, int f, long windowEnd) {
    return state.hasPeriod(f) && state.openedAt[f] < windowEnd
        ? state.intervals[f] / 1000
        : Double.NaN;
  }

  /**
   * The earliest window end after {@code windowEnd} at which an adaptive value may change without
   * new events, {@link Long#MAX_VALUE} when none can: a first period still to open, an interval not
   * shown yet ({@code shown} holds the values of {@code windowEnd}), or a period whose end changes
   * the interval or opens one that does.
   */
  static long nextChange(
      ContractPlan plan, AdaptiveState state, FeatureValues shown, long windowEnd) {
    long next = Long.MAX_VALUE;
    for (int f = 0; f < plan.featureCount(); f++) {
      if (plan.adaptive[f] == null) {
        continue;
      }
      long hop = plan.hopMillis[f];
      long change = Long.MAX_VALUE;
      if (!state.hasPeriod(f)) {
        if (state.buffered[f] > 0) {
          change = endAtOrAfter(Math.max(state.openedAt[f], windowEnd) + 1, hop);
        }
      } else if (!FeatureValues.sameNumber(shown.numbers[f], state.intervals[f] / 1000)) {
        change = endAtOrAfter(windowEnd + 1, hop);
      } else if (!isSettled(plan.adaptive[f], state, f)) {
        change = endAtOrAfter(Math.max(state.periodEnds[f], windowEnd + 1), hop);
      }
      next = Math.min(next, change);
    }
    return next;
  }

  /**
   * Whether slot {@code f}'s interval stays as it is until new events come: at the largest
   * interval, with too few events in the current period to shrink it and none buffered.
   */
  static boolean isSettled(AdaptiveInterval rules, AdaptiveState state, int f) {
    return state.hasPeriod(f)
        && state.buffered[f] == 0
        && state.intervals[f] == rules.max().toMillis()
        && state.counts[f] < rules.busyAt();
  }

  private static long endAtOrAfter(long time, long hop) {
    return Math.floorDiv(time + hop - 1, hop) * hop;
  }

  static boolean isZero(long[] counts) {
    for (long count : counts) {
      if (count != 0) {
        return false;
      }
    }
    return true;
  }
}
