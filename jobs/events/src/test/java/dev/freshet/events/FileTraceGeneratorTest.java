package dev.freshet.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.events.FileTraceGenerator.Arrival;
import dev.freshet.events.FileTraceGenerator.TraceStream;
import dev.freshet.events.ReferenceNormalizer.Derived;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileTraceGeneratorTest {

  private static final int LARGE = 100_000;
  private static final long START = 1_700_000_000_000L;

  @Test
  void sameSeedSameTrace() {
    FileTrace first = FileTraceGenerator.builder().seed(7).build().generate(20_000);
    FileTrace second = FileTraceGenerator.builder().seed(7).build().generate(20_000);
    FileTrace otherSeed = FileTraceGenerator.builder().seed(8).build().generate(20_000);

    assertThat(second.observations()).hasSameSizeAs(first.observations());
    for (int i = 0; i < first.observations().size(); i++) {
      assertThat(second.observations().get(i).value())
          .isEqualTo(first.observations().get(i).value());
    }
    assertThat(second.truth()).isEqualTo(first.truth());
    assertThat(otherSeed.truth()).isNotEqualTo(first.truth());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 1_000})
  void generatesExactlyTheRequestedNumberOfObservations(int observations) {
    FileTrace trace =
        FileTraceGenerator.builder().seed(observations).build().generate(observations);

    assertThat(trace.observations()).hasSize(observations);
    assertThat(ReferenceNormalizer.derive(decode(trace)).stream().map(Derived::change))
        .containsExactlyElementsOf(byTime(trace.truth()));
  }

  @Test
  void everyObservationDecodesAsAFileEventKeyedByItsHost() {
    FileTrace trace = FileTraceGenerator.builder().seed(11).build().generate(LARGE);
    EventDecoder decoder = new EventDecoder(EventStream.FILE);
    Set<String> eventIds = new HashSet<>();

    for (GeneratedRecord record : trace.observations()) {
      assertThat(record.stream()).isEqualTo(EventStream.FILE);
      assertThat(record.malformed()).isFalse();
      DecodeResult result = decoder.decode(record.value());
      assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
      FileEvent event = (FileEvent) ((DecodeResult.Decoded) result).event();
      assertThat(record.key()).isEqualTo(event.host);
      assertThat(event.generation).isNotNull();
      assertThat(eventIds.add(event.eventId)).as("fresh id %s", event.eventId).isTrue();
    }
  }

  @Test
  void truthFollowsFromTheObservationsAlone() {
    FileTrace trace = FileTraceGenerator.builder().seed(5).build().generate(LARGE);
    List<FileEvent> observations = decode(trace);

    List<FileEvent> derived =
        ReferenceNormalizer.derive(observations).stream().map(Derived::change).toList();

    List<FileEvent> truth = byTime(trace.truth());
    assertThat(derived).hasSameSizeAs(truth);
    for (int i = 0; i < truth.size(); i++) {
      assertThat(derived.get(i)).as("change %d", i).isEqualTo(truth.get(i));
    }
    assertThat(trace.truth()).as("truth in event-time order").isEqualTo(truth);
  }

  @Test
  void aFileWhoseContentIsForgottenWritesAContentChangeAndTheObservationsStayTheSame() {
    Duration shortMemory = Duration.ofSeconds(10);
    FileTrace remembering = FileTraceGenerator.builder().seed(5).build().generate(LARGE);
    FileTrace forgetting =
        FileTraceGenerator.builder().seed(5).contentMemory(shortMemory).build().generate(LARGE);

    List<FileEvent> truth = byTime(forgetting.truth());
    assertThat(
            ReferenceNormalizer.derive(decode(forgetting), shortMemory).stream()
                .map(Derived::change))
        .containsExactlyElementsOf(truth);
    assertThat(decode(forgetting)).isEqualTo(decode(remembering));
    long touchesRemembering = count(remembering.truth(), ChangeKind.TOUCH);
    long touchesForgetting = count(forgetting.truth(), ChangeKind.TOUCH);
    assertThat(touchesForgetting).isPositive().isLessThan(touchesRemembering);
    assertThat(count(forgetting.truth(), ChangeKind.CONTENT_CHANGE))
        .isEqualTo(
            count(remembering.truth(), ChangeKind.CONTENT_CHANGE)
                + touchesRemembering
                - touchesForgetting);
  }

  private static long count(List<FileEvent> changes, ChangeKind kind) {
    return changes.stream().filter(change -> change.kind == kind).count();
  }

  @Test
  void observationsAddUpToTheTruth() {
    FileTrace trace = FileTraceGenerator.builder().seed(6).build().generate(LARGE);
    List<FileEvent> observations = decode(trace);

    long renames = trace.truth().stream().filter(c -> c.kind == ChangeKind.RENAME).count();
    long single =
        trace.truth().stream().filter(c -> c.kind != ChangeKind.RENAME && !c.deduplicated).count();
    long duplicated = trace.truth().stream().filter(c -> c.deduplicated).count();
    Map<Long, Integer> halvesByCookie = new HashMap<>();
    observations.stream()
        .filter(e -> e.op.startsWith("moved_"))
        .forEach(e -> halvesByCookie.merge(e.cookie, 1, Integer::sum));
    long unpairedHalves = halvesByCookie.values().stream().filter(n -> n == 1).count();
    long moves = observations.stream().filter(e -> e.op.startsWith("moved_")).count();

    assertThat((long) observations.size()).isEqualTo(single + 2 * duplicated + 2 * renames);
    assertThat(moves).isEqualTo(2 * renames + unpairedHalves);
    assertThat(halvesByCookie.values()).allMatch(n -> n <= 2);
  }

  @Test
  void noObservationArrivesMoreThan300MsOfEventTimeBehind() {
    FileTrace trace = FileTraceGenerator.builder().seed(9).build().generate(LARGE);

    long latest = Long.MIN_VALUE;
    long worstLag = 0;
    int behind = 0;
    for (FileEvent event : decode(trace)) {
      latest = Math.max(latest, event.ts);
      worstLag = Math.max(worstLag, latest - event.ts);
      behind += latest > event.ts ? 1 : 0;
    }

    assertThat(worstLag).isBetween(200L, 300L);
    assertThat(behind).isGreaterThan(LARGE / 20);
  }

  @Test
  void everyPatternOccursInARealisticShare() {
    FileTrace trace = FileTraceGenerator.builder().seed(3).build().generate(LARGE);
    List<FileEvent> observations = decode(trace);
    List<Derived> derived = ReferenceNormalizer.derive(observations);
    List<FileEvent> truth = trace.truth();
    Map<String, Integer> arrival = new HashMap<>();
    Map<String, String> fsTypeByHost = new HashMap<>();
    for (int i = 0; i < observations.size(); i++) {
      arrival.put(observations.get(i).eventId, i);
      fsTypeByHost.put(observations.get(i).host, observations.get(i).fsType);
    }
    Predicate<FileEvent> onInotifyHost =
        c -> Set.of("ext4", "xfs").contains(fsTypeByHost.get(c.host));

    int duplicates = 0;
    int reversedDuplicates = 0;
    int renames = 0;
    int reversedRenames = 0;
    int unpairedMovedFrom = 0;
    int unpairedMovedTo = 0;
    for (Derived d : derived) {
      List<FileEvent> parts = d.observations();
      if (d.change().deduplicated) {
        FileEvent inotify =
            parts.stream().filter(e -> e.channel.equals("inotify")).findFirst().get();
        FileEvent poll = parts.stream().filter(e -> e.channel.equals("poll")).findFirst().get();
        assertThat(poll.ts - inotify.ts).isBetween(0L, 150L);
        duplicates++;
        reversedDuplicates += arrival.get(poll.eventId) < arrival.get(inotify.eventId) ? 1 : 0;
      } else if (d.change().kind == ChangeKind.RENAME) {
        FileEvent from = parts.get(0);
        FileEvent to = parts.get(1);
        assertThat(to.ts - from.ts).isBetween(0L, 100L);
        renames++;
        reversedRenames += arrival.get(to.eventId) < arrival.get(from.eventId) ? 1 : 0;
      } else if (parts.get(0).op.equals("moved_from")) {
        unpairedMovedFrom++;
      } else if (parts.get(0).op.equals("moved_to")) {
        unpairedMovedTo++;
      }
    }
    long touches = count(truth, c -> c.kind == ChangeKind.TOUCH);
    long writes = touches + count(truth, c -> c.kind == ChangeKind.CONTENT_CHANGE);
    long pollOnlyOnExt4 =
        count(truth, c -> c.seenByPollOnly && fsTypeByHost.get(c.host).equals("ext4"));
    long onInotifyHosts =
        derived.stream()
            .filter(d -> onInotifyHost.test(d.change()))
            .filter(d -> d.observations().stream().noneMatch(e -> e.op.startsWith("moved_")))
            .count();
    long pollOnlyOnInotifyHosts = count(truth, c -> onInotifyHost.test(c) && c.seenByPollOnly);
    long creates = count(truth, c -> c.kind == ChangeKind.CREATE);

    assertThat(share(count(truth, c -> c.kind == ChangeKind.CONTENT_CHANGE), truth.size()))
        .isBetween(0.50, 0.75);
    assertThat(share(touches, writes)).isBetween(0.08, 0.20);
    assertThat(share(creates, truth.size())).isBetween(0.04, 0.12);
    assertThat(share(count(truth, c -> c.kind == ChangeKind.REMOVE), truth.size()))
        .isBetween(0.04, 0.12);
    assertThat(share(count(truth, c -> c.kind == ChangeKind.CHMOD), truth.size()))
        .isBetween(0.04, 0.12);
    assertThat(share(renames, truth.size())).isBetween(0.015, 0.07);
    assertThat(share(duplicates, onInotifyHosts)).isBetween(0.12, 0.30);
    assertThat(share(pollOnlyOnInotifyHosts, onInotifyHosts)).isBetween(0.04, 0.14);
    assertThat(share(reversedDuplicates, duplicates)).isBetween(0.15, 0.35);
    assertThat(share(reversedRenames, renames)).isBetween(0.10, 0.30);
    assertThat(share(unpairedMovedFrom, renames)).isBetween(0.06, 0.20);
    assertThat(share(unpairedMovedTo, renames)).isBetween(0.06, 0.20);
    assertThat(share(generationIncreases(truth), creates)).isBetween(0.2, 0.6);
    assertThat(List.of(reversedDuplicates, reversedRenames, unpairedMovedFrom, unpairedMovedTo))
        .allMatch(n -> n >= 10);
    assertThat(List.of(generationIncreases(truth), touches, pollOnlyOnExt4)).allMatch(n -> n >= 10);
    assertThat(storms(truth)).isGreaterThanOrEqualTo(10);
  }

  @Test
  void blindFilesystemsAreSeenByPollOnlyAndNeverRename() {
    FileTrace trace = FileTraceGenerator.builder().seed(4).build().generate(LARGE);
    List<FileEvent> observations = decode(trace);
    Set<String> blindHosts = new HashSet<>();
    for (FileEvent event : observations) {
      if (Set.of("overlay", "nfs").contains(event.fsType)) {
        blindHosts.add(event.host);
        assertThat(event.channel).as("channel of %s", event).isEqualTo("poll");
        assertThat(event.op).as("op of %s", event).doesNotStartWith("moved_");
      }
    }

    assertThat(blindHosts).hasSize(4);
    List<FileEvent> onBlindHosts =
        trace.truth().stream().filter(c -> blindHosts.contains(c.host)).toList();
    assertThat(onBlindHosts).isNotEmpty().allMatch(c -> c.seenByPollOnly);
  }

  @Test
  void changesAfterARenameUseTheNewPath() {
    FileTrace trace = FileTraceGenerator.builder().seed(12).build().generate(LARGE);
    Map<List<Object>, FileEvent> previousOfFile = new HashMap<>();
    int followed = 0;

    for (FileEvent change : trace.truth()) {
      List<Object> file =
          List.of(change.host, change.device, change.inode, change.generationOrZero());
      FileEvent previous = previousOfFile.put(file, change);
      if (previous != null) {
        assertThat(change.kind == ChangeKind.RENAME ? change.oldPath : change.path)
            .as("path of %s after %s", change, previous)
            .isEqualTo(previous.path);
        followed += previous.kind == ChangeKind.RENAME ? 1 : 0;
      }
    }

    assertThat(followed).isGreaterThanOrEqualTo(10);
  }

  @Test
  void movesOfOneInodeAreMoreThanASecondApart() {
    FileTrace trace = FileTraceGenerator.builder().seed(13).build().generate(LARGE);
    Map<List<Object>, List<FileEvent>> movesByInode = new HashMap<>();
    for (FileEvent event : decode(trace)) {
      if (event.op.startsWith("moved_")) {
        movesByInode
            .computeIfAbsent(List.of(event.host, event.device, event.inode), k -> new ArrayList<>())
            .add(event);
      }
    }

    int checked = 0;
    for (List<FileEvent> moves : movesByInode.values()) {
      moves.sort(Comparator.comparingLong(e -> e.ts));
      for (int i = 1; i < moves.size(); i++) {
        if (!moves.get(i).cookie.equals(moves.get(i - 1).cookie)) {
          assertThat(moves.get(i).ts - moves.get(i - 1).ts).isGreaterThan(1_000L);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(10);
  }

  @Test
  void eventTimeAdvancesAtTheConfiguredRate() {
    FileTrace trace =
        FileTraceGenerator.builder().seed(2).observationsPerSecond(250).build().generate(LARGE);
    List<FileEvent> truth = trace.truth();

    double seconds = (truth.get(truth.size() - 1).ts - truth.get(0).ts) / 1000.0;

    assertThat(LARGE / seconds).isBetween(200.0, 260.0);
  }

  @Test
  void rejectsSettingsItCannotHonour() {
    assertThatThrownBy(() -> FileTraceGenerator.builder().observationsPerSecond(5_000))
        .hasMessage("observationsPerSecond must be in [1, 1000], got 5000");
    assertThatThrownBy(() -> FileTraceGenerator.builder().filesPerDirectory(0))
        .hasMessage("filesPerDirectory must be positive, got 0");
    assertThatThrownBy(() -> FileTraceGenerator.builder().build().generate(-1))
        .hasMessage("observations must not be negative, got -1");
  }

  @Test
  void contractsSeeKindAndFlagsOnlyOnNormalizedChanges() {
    FileTrace trace = FileTraceGenerator.builder().seed(14).build().generate(1_000);
    FileEvent rename =
        trace.truth().stream().filter(c -> c.kind == ChangeKind.RENAME).findFirst().orElseThrow();
    FileEvent observation = decode(trace).get(0);

    assertThat(rename.field("kind")).isEqualTo("rename");
    assertThat(rename.field("old_path")).isEqualTo(rename.oldPath).isNotEqualTo(rename.path);
    assertThat(rename.field("deduplicated")).isEqualTo(false);
    assertThat(rename.field("seen_by_poll_only")).isEqualTo(false);
    assertThat(rename.field("file_id"))
        .isEqualTo(
            rename.host + ":" + rename.device + ":" + rename.inode + ":" + rename.generation);
    assertThat(observation.isNormalized()).isFalse();
    for (String normalizedOnly : List.of("kind", "old_path", "deduplicated", "seen_by_poll_only")) {
      assertThat(observation.field(normalizedOnly)).as(normalizedOnly).isNull();
    }
    assertThat(ChangeKind.CONTENT_CHANGE.yamlName()).isEqualTo("content_change");
  }

  @Test
  void sameSeedSameStream() {
    TraceStream first = FileTraceGenerator.builder().seed(7).build().stream();
    TraceStream second = FileTraceGenerator.builder().seed(7).build().stream();
    TraceStream otherSeed = FileTraceGenerator.builder().seed(8).build().stream();

    for (long t = START; t <= START + 60_000; t += 500) {
      assertSameRecords(second.arrivedBy(t), first.arrivedBy(t));
      otherSeed.arrivedBy(t);
    }
    assertSameRecords(second.rest(), first.rest());
    assertThat(second.truth()).isNotEmpty().isEqualTo(first.truth());
    otherSeed.rest();
    assertThat(otherSeed.truth()).isNotEqualTo(first.truth());
  }

  @Test
  void streamInPiecesGivesWhatOneCallOverTheSameSpanGives() {
    FileTraceGenerator generator = FileTraceGenerator.builder().seed(21).startMillis(START).build();
    long end = START + 300_000;
    SplittableRandom pace = new SplittableRandom(1);

    TraceStream pieces = generator.stream();
    List<GeneratedRecord> inPieces = new ArrayList<>(pieces.arrivedBy(START - 1_000));
    for (long t = START; t < end; t += pace.nextInt(2_000)) {
      inPieces.addAll(pieces.arrivedBy(t));
      assertThat(pieces.arrivedBy(t - pace.nextInt(1_000))).as("again by %d", t).isEmpty();
    }
    inPieces.addAll(pieces.arrivedBy(end));
    inPieces.addAll(pieces.rest());
    TraceStream atOnce = generator.stream();
    List<GeneratedRecord> whole = new ArrayList<>(atOnce.arrivedBy(end));
    whole.addAll(atOnce.rest());

    assertThat(inPieces).hasSizeGreaterThan(25_000);
    assertSameRecords(inPieces, whole);
    assertThat(pieces.truth()).isEqualTo(atOnce.truth());
  }

  @Test
  void streamReturnsExactlyWhatHasArrivedByTheRequestedTime() {
    TraceStream stream = FileTraceGenerator.builder().seed(17).startMillis(START).build().stream();
    SplittableRandom pace = new SplittableRandom(2);
    long previous = Long.MIN_VALUE;
    int returned = 0;
    // Every millisecond for a minute, to catch an observation that arrives the moment its change
    // starts; then at random intervals.
    for (long t = START; t <= START + 300_000; t += t < START + 60_000 ? 1 : pace.nextInt(1_500)) {
      for (Arrival arrival : stream.arrivalsBy(t)) {
        // Arriving after the previous call's time: nothing that had arrived was held back then.
        assertThat(arrival.at())
            .as("arrival of %s, returned by %d after %d", arrival.event(), t, previous)
            .isGreaterThan(previous)
            .isLessThanOrEqualTo(t)
            .isBetween(arrival.event().ts, arrival.event().ts + 300);
        returned++;
      }
      previous = t;
    }

    long last = previous;
    assertThat(returned).isGreaterThan(25_000);
    assertThat(stream.arrivalsBy(last + 1_000)).isNotEmpty().allMatch(a -> a.at() > last);
  }

  @Test
  void streamTruthFollowsFromItsObservationsAlone() {
    TraceStream stream = FileTraceGenerator.builder().seed(5).startMillis(START).build().stream();
    List<GeneratedRecord> observations = new ArrayList<>();
    for (long t = START; t <= START + 600_000; t += 250) {
      observations.addAll(stream.arrivedBy(t));
    }
    observations.addAll(stream.rest());

    List<FileEvent> derived =
        ReferenceNormalizer.derive(decode(observations)).stream().map(Derived::change).toList();

    List<FileEvent> truth = byTime(stream.truth());
    assertThat(observations).hasSizeGreaterThan(50_000);
    assertThat(derived).hasSameSizeAs(truth);
    for (int i = 0; i < truth.size(); i++) {
      assertThat(derived.get(i)).as("change %d", i).isEqualTo(truth.get(i));
    }
    assertThat(stream.truth()).as("truth in event-time order").isEqualTo(truth);
  }

  @Test
  void streamMakesTheChangesGenerateMakes() {
    FileTraceGenerator generator = FileTraceGenerator.builder().seed(19).build();
    int n = 20_000;
    FileTrace trace = generator.generate(n);
    List<FileEvent> truth = trace.truth();
    TraceStream stream = generator.stream();
    List<GeneratedRecord> streamed =
        new ArrayList<>(stream.arrivedBy(truth.get(truth.size() - 1).ts + 1_000));
    streamed.addAll(stream.rest());

    // generate(n) ends on exactly n observations: a change it starts with one observation left
    // (f-n, the last) may differ from the stream's; the changes before it may not.
    Predicate<FileEvent> beforeTheLast = event -> Long.parseLong(event.eventId.substring(2)) < n;
    assertThat(decode(streamed).stream().filter(beforeTheLast).toList())
        .hasSize(n - 1)
        .isEqualTo(decode(trace).stream().filter(beforeTheLast).toList());
    assertThat(stream.truth().subList(0, truth.size() - 1))
        .isEqualTo(truth.subList(0, truth.size() - 1));
  }

  @Test
  void streamStartsNoChangeAfterItsRest() {
    TraceStream stream = FileTraceGenerator.builder().seed(23).build().stream();
    stream.arrivedBy(START + 10_000);
    List<GeneratedRecord> rest = stream.rest();
    List<FileEvent> truth = stream.truth();

    assertThat(rest).isNotEmpty();
    assertThat(truth).isNotEmpty().allMatch(change -> change.ts <= START + 10_000);
    assertThat(stream.rest()).isEmpty();
    assertThat(stream.truth()).isEqualTo(truth);
    assertThatThrownBy(() -> stream.arrivedBy(START + 20_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the trace stream has ended: rest() was called, so no new change starts");
  }

  @Test
  void streamWithoutTruthMakesTheSameObservations() {
    FileTraceGenerator generator = FileTraceGenerator.builder().seed(24).build();
    TraceStream withTruth = generator.stream(START, true);
    TraceStream withoutTruth = generator.stream(START, false);

    for (long t = START; t <= START + 60_000; t += 1_000) {
      assertSameRecords(withoutTruth.arrivedBy(t), withTruth.arrivedBy(t));
    }
    assertSameRecords(withoutTruth.rest(), withTruth.rest());
    assertThatThrownBy(withoutTruth::truth)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this trace stream was made without its truth");
  }

  /** Creates whose device and inode were last removed with the previous generation. */
  private static long generationIncreases(List<FileEvent> truth) {
    Set<List<Object>> removed = new HashSet<>();
    long increases = 0;
    for (FileEvent change : truth) {
      List<Object> inode = List.of(change.host, change.device, change.inode);
      if (change.kind == ChangeKind.REMOVE) {
        removed.add(List.of(inode, change.generationOrZero()));
      } else if (change.kind == ChangeKind.CREATE
          && removed.contains(List.of(inode, change.generationOrZero() - 1))) {
        increases++;
      }
    }
    return increases;
  }

  /** Bursts of at least 20 writes to one directory within 3 seconds. */
  private static int storms(List<FileEvent> truth) {
    Map<String, List<Long>> writesByDirectory = new HashMap<>();
    for (FileEvent change : truth) {
      if (change.kind == ChangeKind.CONTENT_CHANGE || change.kind == ChangeKind.TOUCH) {
        writesByDirectory
            .computeIfAbsent(change.host + ":" + change.directory(), k -> new ArrayList<>())
            .add(change.ts);
      }
    }
    int storms = 0;
    for (List<Long> times : writesByDirectory.values()) {
      int end = 0;
      for (int start = 0; start < times.size(); start++) {
        end = Math.max(end, start);
        while (end < times.size() && times.get(end) - times.get(start) <= 3_000) {
          end++;
        }
        if (end - start >= 20) {
          storms++;
          start = end - 1;
        }
      }
    }
    return storms;
  }

  private static List<FileEvent> decode(FileTrace trace) {
    return decode(trace.observations());
  }

  private static List<FileEvent> decode(List<GeneratedRecord> records) {
    EventDecoder decoder = new EventDecoder(EventStream.FILE);
    List<FileEvent> events = new ArrayList<>(records.size());
    for (GeneratedRecord record : records) {
      events.add((FileEvent) ((DecodeResult.Decoded) decoder.decode(record.value())).event());
    }
    return events;
  }

  private static void assertSameRecords(
      List<GeneratedRecord> actual, List<GeneratedRecord> expected) {
    assertThat(actual.stream().map(FileTraceGeneratorTest::json).toList())
        .isEqualTo(expected.stream().map(FileTraceGeneratorTest::json).toList());
  }

  private static String json(GeneratedRecord record) {
    return record.key() + " " + new String(record.value(), StandardCharsets.UTF_8);
  }

  private static List<FileEvent> byTime(List<FileEvent> changes) {
    List<FileEvent> sorted = new ArrayList<>(changes);
    sorted.sort(
        Comparator.comparingLong((FileEvent c) -> c.ts)
            .thenComparing(c -> c.host)
            .thenComparingLong(c -> c.inode));
    return sorted;
  }

  private static long count(List<FileEvent> changes, Predicate<FileEvent> which) {
    return changes.stream().filter(which).count();
  }

  private static double share(long part, long whole) {
    return (double) part / whole;
  }
}
