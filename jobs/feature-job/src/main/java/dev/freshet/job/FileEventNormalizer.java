package dev.freshet.job;

import dev.freshet.events.ChangeKind;
import dev.freshet.events.FileEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns what file watchers report into what happened to files, per (host, device, inode).
 *
 * <p>Every observation waits in keyed state until its partners can no longer arrive (the watermark
 * passes its time plus the dedup window, or the rename timeout for a rename half), then:
 *
 * <ul>
 *   <li>an inotify and a poll observation of the same (op, path, generation) within the dedup
 *       window are one change, flagged deduplicated; the second is counted as a duplicate;
 *   <li>moved_from and moved_to with the same cookie are one rename (old path, new path), in either
 *       order; a half still alone after the rename timeout is a remove or a create;
 *   <li>a new generation of the inode is a new file: its content history starts afresh;
 *   <li>a write whose (mtime, size, content hash) equals the last seen for the file, at most the
 *       state TTL of event time before it, is a touch, any other write a content change.
 * </ul>
 *
 * A change's time is its earliest observation's. Changes of one file are judged and emitted in
 * event-time order. An observation that arrives at or behind the watermark can no longer be placed
 * in that order (the change it belongs to may be judged already): it goes to {@link
 * #LATE_OBSERVATIONS} and is counted. The last content seen of a file is forgotten once the
 * watermark has passed it by the state TTL and no waiting observation could still be judged against
 * it, on an event-time timer: the wall clock never decides what a change is. Waiting observations
 * leave through their timers.
 */
public class FileEventNormalizer extends KeyedProcessFunction<String, FileEvent, FileEvent> {

  /** Observations that arrive at or behind the watermark. */
  public static final OutputTag<FileEvent> LATE_OBSERVATIONS =
      new OutputTag<>("late-observations", TypeInformation.of(FileEvent.class));

  private final long dedupWindowMillis;
  private final long renameTimeoutMillis;
  private final long stateTtlMillis;

  private transient ListState<FileEvent> pending;
  private transient ValueState<FileContent> lastContent;
  private transient ValueState<Long> forgetTimer;
  private transient Counter duplicates;
  private transient Counter lateObservations;

  /** The last content seen of one generation of a file, and when. A Flink POJO. */
  public static class FileContent {
    public long generation;
    public Long mtime;
    public Long size;
    public String contentHash;

    /**
     * The event time of the change that carried it. Null in state written while Flink's
     * processing-time TTL kept it: such content is taken as seen at the file's first timer after
     * the restore.
     */
    public Long seenAt;

    public FileContent() {}

    FileContent(FileEvent change) {
      generation = change.generationOrZero();
      mtime = change.mtime;
      size = change.size;
      contentHash = change.contentHash;
      seenAt = change.ts;
    }

    /** Whether this is still the last content of the generation at ts, within the TTL. */
    boolean remembersAt(long ts, long generation, long ttlMillis) {
      return this.generation == generation && (seenAt == null || ts - seenAt <= ttlMillis);
    }

    boolean sameContent(FileEvent event) {
      return Objects.equals(mtime, event.mtime)
          && Objects.equals(size, event.size)
          && Objects.equals(contentHash, event.contentHash);
    }
  }

  /**
   * @param stateTtl how long, in event time, a file's last content is remembered without news of
   *     it; null remembers it for ever (to measure what the TTL costs, never for production)
   */
  public FileEventNormalizer(Duration dedupWindow, Duration renameTimeout, Duration stateTtl) {
    if (renameTimeout.compareTo(dedupWindow) < 0) {
      throw new IllegalArgumentException("the rename timeout must be at least the dedup window");
    }
    this.dedupWindowMillis = dedupWindow.toMillis();
    this.renameTimeoutMillis = renameTimeout.toMillis();
    this.stateTtlMillis = stateTtl == null ? Long.MAX_VALUE : stateTtl.toMillis();
  }

  /** The key of an observation: the file system object it is about. */
  public static String keyOf(FileEvent event) {
    return event.host + '|' + event.device + '|' + event.inode;
  }

  @Override
  public void open(OpenContext openContext) {
    ListStateDescriptor<FileEvent> pendingDescriptor =
        new ListStateDescriptor<>("normalizer.pending", TypeInformation.of(FileEvent.class));
    // No TTL: every waiting observation has a timer that takes it out, and a TTL could only drop
    // one silently while the watermark stands still.
    pending = getRuntimeContext().getListState(pendingDescriptor);
    // No Flink state TTL either: it counts in processing time, so a watermark that stalls for
    // longer than the TTL would forget content that the next write is still to be judged against.
    // Flink 2.2 restores state written with a TTL into a descriptor without (FLINK-37294).
    lastContent =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "normalizer.content", TypeInformation.of(FileContent.class)));
    forgetTimer =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("normalizer.forget-timer", Types.LONG));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicateObservations");
    lateObservations = getRuntimeContext().getMetricGroup().counter("lateObservations");
  }

  @Override
  public void processElement(FileEvent event, Context ctx, Collector<FileEvent> out)
      throws Exception {
    // A partner at most a window earlier is judged once the watermark passes its time plus the
    // window, so from a watermark at its own time on, it may be: it can no longer be placed.
    if (event.ts <= ctx.timerService().currentWatermark()) {
      lateObservations.inc();
      ctx.output(LATE_OBSERVATIONS, event);
      return;
    }
    pending.add(event);
    // A rename half is looked at again once a partner could have arrived, and gives up waiting
    // for one at the rename timeout.
    ctx.timerService().registerEventTimeTimer(event.ts + dedupWindowMillis);
    if (isMove(event)) {
      ctx.timerService().registerEventTimeTimer(event.ts + renameTimeoutMillis);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FileEvent> out)
      throws Exception {
    List<FileEvent> observations = new ArrayList<>();
    pending.get().forEach(observations::add);
    observations.sort(
        Comparator.comparingLong((FileEvent e) -> e.ts).thenComparing(e -> e.eventId));
    List<FileEvent> waiting = new ArrayList<>();
    List<Group> ripe = new ArrayList<>();
    boolean[] used = new boolean[observations.size()];
    for (int i = 0; i < observations.size(); i++) {
      if (used[i]) {
        continue;
      }
      used[i] = true;
      FileEvent first = observations.get(i);
      int partner = partnerOf(observations, used, i);
      if (partner >= 0) {
        used[partner] = true;
      }
      Group group = new Group(first, partner < 0 ? null : observations.get(partner));
      // Changes of a file are judged in event-time order, so a ripe change waits behind an earlier
      // one that is still waiting (a rename half waiting for its partner).
      if (waiting.isEmpty() && group.isRipe(timestamp)) {
        ripe.add(group);
      } else {
        waiting.add(first);
        if (group.second != null) {
          waiting.add(group.second);
        }
      }
    }
    for (Group group : ripe) {
      if (group.isDuplicatePair()) {
        duplicates.inc();
      }
      out.collect(classify(group));
    }
    pending.update(waiting);
    forgetContentWhenDue(timestamp, !waiting.isEmpty(), ctx.timerService());
  }

  /**
   * Forgets the file's last content once the watermark has passed it by the state TTL, unless an
   * observation still waits: it may be from within the TTL, and its own timer comes back here.
   * Otherwise keeps one timer at the time the content is due to be forgotten.
   */
  private void forgetContentWhenDue(long watermark, boolean observationsWait, TimerService timers)
      throws Exception {
    FileContent content = lastContent.value();
    if (content == null || stateTtlMillis == Long.MAX_VALUE) {
      return;
    }
    if (content.seenAt == null) {
      content.seenAt = watermark;
      lastContent.update(content);
    }
    long forgetAt = content.seenAt + stateTtlMillis + 1;
    if (forgetAt <= watermark) {
      if (!observationsWait) {
        lastContent.clear();
        forgetTimer.clear();
      }
      return;
    }
    Long timer = forgetTimer.value();
    // The timer set for earlier content fires first and comes back here to set the next one.
    if (timer == null || timer <= watermark) {
      timers.registerEventTimeTimer(forgetAt);
      forgetTimer.update(forgetAt);
    }
  }

  /** The unused observation that belongs to the same change as observation {@code i}, or -1. */
  private int partnerOf(List<FileEvent> observations, boolean[] used, int i) {
    FileEvent event = observations.get(i);
    for (int j = i + 1; j < observations.size(); j++) {
      FileEvent other = observations.get(j);
      if (used[j]) {
        continue;
      }
      if (isMove(event)) {
        boolean halves =
            isMove(other)
                && !event.op.equals(other.op)
                && Objects.equals(event.cookie, other.cookie)
                && other.ts - event.ts <= renameTimeoutMillis;
        if (halves) {
          return j;
        }
      } else if (other.ts - event.ts <= dedupWindowMillis
          && !event.channel.equals(other.channel)
          && event.op.equals(other.op)
          && event.path.equals(other.path)
          && event.generationOrZero() == other.generationOrZero()) {
        return j;
      }
    }
    return -1;
  }

  /** One change: a single observation, a pair from both channels, or both halves of a rename. */
  private final class Group {
    final FileEvent first;
    final FileEvent second;

    Group(FileEvent first, FileEvent second) {
      this.first = first;
      this.second = second;
    }

    /**
     * Whether no observation can still join or precede this change: a complete rename waits only
     * the dedup window, like any other change, so earlier changes of the file are judged first.
     */
    boolean isRipe(long watermark) {
      long hold = isMove(first) && second != null ? dedupWindowMillis : holdMillis(first);
      return first.ts + hold <= watermark;
    }

    boolean isDuplicatePair() {
      return second != null && !isMove(first);
    }
  }

  private FileEvent classify(Group group) throws Exception {
    FileEvent event = group.first;
    FileContent last = lastContent.value();
    if (last != null && !last.remembersAt(event.ts, event.generationOrZero(), stateTtlMillis)) {
      last = null;
    }
    FileEvent change;
    if (isMove(event) && group.second != null) {
      FileEvent from = event.op.equals("moved_from") ? event : group.second;
      FileEvent to = event.op.equals("moved_from") ? group.second : event;
      change = change(group, to, ChangeKind.RENAME);
      change.oldPath = from.path;
    } else {
      ChangeKind kind =
          switch (event.op) {
            case "create", "moved_to" -> ChangeKind.CREATE;
            case "write" ->
                last != null && hasContent(event) && last.sameContent(event)
                    ? ChangeKind.TOUCH
                    : ChangeKind.CONTENT_CHANGE;
            case "chmod" -> ChangeKind.CHMOD;
            default -> ChangeKind.REMOVE;
          };
      // Both reports of a duplicate carry the same content; the inotify one carries the change.
      FileEvent carrier =
          group.second != null && group.second.channel.equals("inotify") ? group.second : event;
      change = change(group, carrier, kind);
    }
    if (hasContent(change)) {
      lastContent.update(new FileContent(change));
    }
    return change;
  }

  /** The change as a copy of the observation that carries it, at its earliest observation's ts. */
  private static FileEvent change(Group group, FileEvent carrier, ChangeKind kind) {
    FileEvent first = group.first;
    FileEvent change = carrier.copy();
    change.kind = kind;
    change.ts = group.second == null ? first.ts : Math.min(first.ts, group.second.ts);
    change.deduplicated = group.second != null && !first.channel.equals(group.second.channel);
    change.seenByPollOnly =
        first.channel.equals("poll")
            && (group.second == null || group.second.channel.equals("poll"));
    return change;
  }

  private static boolean hasContent(FileEvent event) {
    return event.contentHash != null || event.size != null || event.mtime != null;
  }

  private long holdMillis(FileEvent event) {
    return isMove(event) ? renameTimeoutMillis : dedupWindowMillis;
  }

  private static boolean isMove(FileEvent event) {
    return event.op.equals("moved_from") || event.op.equals("moved_to");
  }
}
