package dev.freshet.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The truth rules of {@link FileTraceGenerator}'s javadoc applied to decoded observations the slow,
 * obvious way, knowing nothing of the generator's model of the files. Where the trace would leave a
 * rule in doubt (two candidate duplicates, overlapping changes of one file), it fails the test.
 */
final class ReferenceNormalizer {

  static final long DEDUP_WINDOW_MS = 200;
  static final long RENAME_PAIRING_MS = 1_000;

  /** A derived change and the observations it was made of. */
  record Derived(FileEvent change, List<FileEvent> observations) {}

  private record Identity(String host, long device, long inode, long generation) {
    static Identity of(FileEvent event) {
      return new Identity(event.host, event.device, event.inode, event.generation);
    }
  }

  private record Content(long mtime, long size, String hash) {}

  /** Observations that make one change; op is the effective one ("rename" for a paired move). */
  private record Unit(
      Identity identity, String op, String path, String oldPath, List<FileEvent> observations) {

    long firstTs() {
      return observations.stream().mapToLong(event -> event.ts).min().orElseThrow();
    }

    long lastTs() {
      return observations.stream().mapToLong(event -> event.ts).max().orElseThrow();
    }
  }

  private ReferenceNormalizer() {}

  static List<Derived> derive(List<FileEvent> observations) {
    return derive(observations, FileTraceGenerator.DEFAULT_CONTENT_MEMORY);
  }

  static List<Derived> derive(List<FileEvent> observations, Duration contentMemory) {
    List<Unit> units = new ArrayList<>();
    pairMoves(observations, units);
    mergeDuplicates(observations, units);
    return judge(units, contentMemory.toMillis());
  }

  private static void pairMoves(List<FileEvent> observations, List<Unit> units) {
    Map<Long, List<FileEvent>> byCookie = new LinkedHashMap<>();
    for (FileEvent event : observations) {
      if (event.op.startsWith("moved_")) {
        assertThat(event.cookie).as("cookie of %s", event).isNotNull();
        byCookie.computeIfAbsent(event.cookie, cookie -> new ArrayList<>()).add(event);
      }
    }
    for (List<FileEvent> halves : byCookie.values()) {
      List<FileEvent> from = halves.stream().filter(e -> e.op.equals("moved_from")).toList();
      List<FileEvent> to = halves.stream().filter(e -> e.op.equals("moved_to")).toList();
      assertThat(from).as("moved_from halves of one cookie").hasSizeLessThanOrEqualTo(1);
      assertThat(to).as("moved_to halves of one cookie").hasSizeLessThanOrEqualTo(1);
      if (from.size() == 1
          && to.size() == 1
          && Math.abs(from.get(0).ts - to.get(0).ts) <= RENAME_PAIRING_MS) {
        FileEvent source = from.get(0);
        FileEvent target = to.get(0);
        assertThat(Identity.of(target)).isEqualTo(Identity.of(source));
        units.add(
            new Unit(
                Identity.of(source), "rename", target.path, source.path, List.of(source, target)));
      } else {
        for (FileEvent half : halves) {
          String op = half.op.equals("moved_from") ? "remove" : "create";
          units.add(new Unit(Identity.of(half), op, half.path, null, List.of(half)));
        }
      }
    }
  }

  private static void mergeDuplicates(List<FileEvent> observations, List<Unit> units) {
    Map<String, List<FileEvent>> groups = new LinkedHashMap<>();
    for (FileEvent event : observations) {
      if (!event.op.startsWith("moved_")) {
        String key = Identity.of(event) + " " + event.op + " " + event.path;
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(event);
      }
    }
    for (List<FileEvent> group : groups.values()) {
      group.sort(Comparator.comparingLong(event -> event.ts));
      Set<String> merged = new HashSet<>();
      for (int i = 0; i < group.size(); i++) {
        FileEvent event = group.get(i);
        List<FileEvent> partners = new ArrayList<>();
        for (int j = i - 1; j >= 0 && event.ts - group.get(j).ts <= DEDUP_WINDOW_MS; j--) {
          addIfOtherChannel(event, group.get(j), partners);
        }
        for (int j = i + 1;
            j < group.size() && group.get(j).ts - event.ts <= DEDUP_WINDOW_MS;
            j++) {
          addIfOtherChannel(event, group.get(j), partners);
        }
        assertThat(partners).as("candidate duplicates of %s", event).hasSizeLessThanOrEqualTo(1);
        if (!merged.add(event.eventId)) {
          continue;
        }
        List<FileEvent> parts = new ArrayList<>(List.of(event));
        for (FileEvent partner : partners) {
          merged.add(partner.eventId);
          assertThat(content(partner)).as("content of %s", partner).isEqualTo(content(event));
          parts.add(partner);
        }
        units.add(new Unit(Identity.of(event), event.op, event.path, null, parts));
      }
    }
  }

  private static void addIfOtherChannel(FileEvent event, FileEvent other, List<FileEvent> into) {
    if (!other.channel.equals(event.channel)) {
      into.add(other);
    }
  }

  private static List<Derived> judge(List<Unit> units, long contentMemoryMillis) {
    Map<Identity, List<Unit>> byIdentity = new LinkedHashMap<>();
    units.forEach(
        unit -> byIdentity.computeIfAbsent(unit.identity(), i -> new ArrayList<>()).add(unit));
    List<Derived> derived = new ArrayList<>();
    for (List<Unit> history : byIdentity.values()) {
      history.sort(Comparator.comparingLong(Unit::firstTs));
      Content lastSeen = null;
      long lastSeenAt = Long.MIN_VALUE;
      for (int i = 0; i < history.size(); i++) {
        Unit unit = history.get(i);
        if (i > 0) {
          assertThat(unit.firstTs())
              .as("%s starts after the previous change of its file", unit)
              .isGreaterThan(history.get(i - 1).lastTs());
        }
        // A rename's content is its moved_to's; the two halves of a duplicate carry the same.
        Content content = content(unit.observations().get(unit.observations().size() - 1));
        ChangeKind kind =
            switch (unit.op()) {
              case "create" -> ChangeKind.CREATE;
              case "chmod" -> ChangeKind.CHMOD;
              case "remove" -> ChangeKind.REMOVE;
              case "rename" -> ChangeKind.RENAME;
              case "write" ->
                  content != null
                          && content.equals(lastSeen)
                          && unit.firstTs() - lastSeenAt <= contentMemoryMillis
                      ? ChangeKind.TOUCH
                      : ChangeKind.CONTENT_CHANGE;
              default -> throw new AssertionError("unexpected op " + unit.op());
            };
        if (content != null) {
          lastSeen = content;
          lastSeenAt = unit.firstTs();
        }
        boolean allPoll = unit.observations().stream().allMatch(e -> e.channel.equals("poll"));
        boolean deduplicated = kind != ChangeKind.RENAME && unit.observations().size() == 2;
        FileEvent carrier =
            kind == ChangeKind.RENAME
                ? unit.observations().get(1)
                : unit.observations().stream()
                    .filter(e -> e.channel.equals("inotify"))
                    .findFirst()
                    .orElse(unit.observations().get(0));
        FileEvent change = carrier.copy();
        change.kind = kind;
        change.oldPath = unit.oldPath();
        change.ts = unit.firstTs();
        change.deduplicated = deduplicated;
        change.seenByPollOnly = allPoll;
        derived.add(new Derived(change, unit.observations()));
      }
    }
    derived.sort(
        Comparator.comparingLong((Derived d) -> d.change().ts)
            .thenComparing(d -> d.change().host)
            .thenComparingLong(d -> d.change().inode));
    return derived;
  }

  /** The content an observation carries; only remove and moved_from carry none. */
  private static Content content(FileEvent event) {
    boolean carries = !event.op.equals("remove") && !event.op.equals("moved_from");
    if (!carries) {
      assertThat(event.mtime).as("mtime of %s", event).isNull();
      assertThat(event.size).as("size of %s", event).isNull();
      assertThat(event.contentHash).as("content hash of %s", event).isNull();
      return null;
    }
    assertThat(event.mtime).as("mtime of %s", event).isNotNull();
    assertThat(event.size).as("size of %s", event).isNotNull();
    assertThat(event.contentHash).as("content hash of %s", event).isNotNull();
    return new Content(event.mtime, event.size, event.contentHash);
  }
}
