package dev.freshet.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.events.ReferenceNormalizer.Derived;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {

  private static final long START = 1_700_000_000_000L;

  @Test
  void sameSeedSameRecords() {
    EventGenerator first = EventGenerator.builder().seed(7).malformedShare(0.01).build();
    EventGenerator second = EventGenerator.builder().seed(7).malformedShare(0.01).build();
    EventGenerator otherSeed = EventGenerator.builder().seed(8).malformedShare(0.01).build();

    List<GeneratedRecord> records = generate(first, 2_000, 100);
    records.addAll(first.finish());
    List<GeneratedRecord> again = generate(second, 2_000, 100);
    again.addAll(second.finish());
    List<GeneratedRecord> other = generate(otherSeed, 2_000, 100);

    assertThat(json(again)).isEqualTo(json(records));
    assertThat(json(other).subList(0, 100)).isNotEqualTo(json(records).subList(0, 100));
    assertThat(second.fileTruth()).isNotEmpty().isEqualTo(first.fileTruth());
  }

  @Test
  void eachActionIsOneBehaviourRecordFollowedByTheFileObservationsArrivedByItsTime() {
    EventGenerator generator = EventGenerator.builder().seed(2).build();
    EventDecoder behaviour = new EventDecoder(EventStream.BEHAVIOUR);
    int fileRecords = 0;

    for (int i = 0; i < 3_000; i++) {
      long time = START + i * 100L;
      List<GeneratedRecord> records = generator.next(time);
      assertThat(records.get(0).stream()).isEqualTo(EventStream.BEHAVIOUR);
      Event action = decoded(behaviour, records.get(0));
      assertThat(action.eventTime()).isBetween(time - 500, time);
      for (FileEvent observation : decodeFiles(records.subList(1, records.size()))) {
        assertThat(observation.ts).as("%s by %d", observation, time).isBetween(START, time);
        fileRecords++;
      }
    }

    // 300 s at the default 5 file observations per second.
    assertThat(fileRecords).isBetween(1_300, 1_700);
  }

  @Test
  void fileObservationsFlowAtTheirOwnEventTimeRate() {
    EventGenerator generator =
        EventGenerator.builder().seed(4).fileObservationsPerSecond(200).build();

    // 20 actions per second for 100 s: 2,000 actions, while the fleet reports for 100 s.
    List<GeneratedRecord> records = generate(generator, 2_000, 50);

    long behaviour = records.stream().filter(r -> r.stream() == EventStream.BEHAVIOUR).count();
    long files = records.size() - behaviour;
    assertThat(behaviour).isEqualTo(2_000);
    assertThat(files / 100.0).isBetween(180.0, 210.0);
  }

  @Test
  void fileRecordsAreExactlyTheObservationsOfTheirTruth() {
    EventGenerator generator =
        EventGenerator.builder().seed(9).hosts(6).directoriesPerHost(5).build();
    List<GeneratedRecord> records = generate(generator, 6_000, 100);
    List<GeneratedRecord> rest = generator.finish();
    records.addAll(rest);
    List<FileEvent> observations =
        decodeFiles(records.stream().filter(r -> r.stream() == EventStream.FILE).toList());

    List<FileEvent> derived =
        ReferenceNormalizer.derive(observations).stream().map(Derived::change).toList();

    List<FileEvent> truth = generator.fileTruth();
    assertThat(rest).isNotEmpty();
    assertThat(observations).extracting(e -> e.host).doesNotContain("host-6");
    assertThat(observations).extracting(e -> e.path).noneMatch(p -> p.contains("/dir-5/"));
    assertThat(observations).extracting(e -> e.op).contains("moved_from", "moved_to");
    assertThat(truth).hasSizeGreaterThan(2_000).isSortedAccordingTo(byTime());
    assertThat(derived).isEqualTo(truth);
  }

  @Test
  void wellFormedRecordsDecodeAndBrokenOnesDoNot() {
    EventGenerator generator =
        EventGenerator.builder().seed(3).fileObservationsPerSecond(10).malformedShare(0.1).build();
    List<GeneratedRecord> records = generate(generator, 5_000, 100);
    records.addAll(generator.finish());
    int brokenBehaviour = 0;
    int brokenFile = 0;

    for (GeneratedRecord record : records) {
      DecodeResult result = new EventDecoder(record.stream()).decode(record.value());
      if (record.malformed()) {
        brokenBehaviour += record.stream() == EventStream.BEHAVIOUR ? 1 : 0;
        brokenFile += record.stream() == EventStream.FILE ? 1 : 0;
        assertThat(result).as(new String(record.value())).isInstanceOf(DecodeResult.Failed.class);
      } else {
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
      }
    }

    // 5,000 actions and about 5,000 file observations in 500 s, a tenth of each broken.
    assertThat(brokenBehaviour).isBetween(400, 600);
    assertThat(brokenFile).isBetween(400, 600);
  }

  @Test
  void withoutFileTrafficOnlyBehaviour() {
    EventGenerator generator =
        EventGenerator.builder().seed(5).fileObservationsPerSecond(0).build();

    List<GeneratedRecord> records = generate(generator, 1_000, 100);

    assertThat(records).hasSize(1_000).allMatch(r -> r.stream() == EventStream.BEHAVIOUR);
    assertThat(generator.finish()).isEmpty();
    assertThat(generator.fileTruth()).isEmpty();
    // Without file traffic, event times need not be recent.
    assertThat(EventGenerator.builder().fileObservationsPerSecond(0).build().next(1_000))
        .hasSize(1);
  }

  @Test
  void withoutKeptTruthTheSameRecords() {
    EventGenerator keeping = EventGenerator.builder().seed(6).malformedShare(0.05).build();
    EventGenerator forgetting =
        EventGenerator.builder().seed(6).malformedShare(0.05).keepFileTruth(false).build();

    List<GeneratedRecord> kept = generate(keeping, 2_000, 100);
    kept.addAll(keeping.finish());
    List<GeneratedRecord> notKept = generate(forgetting, 2_000, 100);
    notKept.addAll(forgetting.finish());

    assertThat(json(notKept)).isEqualTo(json(kept));
    assertThatThrownBy(forgetting::fileTruth)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the file truth is not kept: the generator was built with keepFileTruth(false)");
  }

  @Test
  void nothingFollowsFinish() {
    EventGenerator generator = EventGenerator.builder().seed(8).build();
    generate(generator, 100, 100);
    generator.finish();
    List<FileEvent> truth = generator.fileTruth();

    assertThat(generator.finish()).isEmpty();
    assertThat(generator.fileTruth()).isEqualTo(truth);
    assertThatThrownBy(() -> generator.next(START + 20_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("finish() was called: the generator makes no more records");
  }

  @Test
  void rejectsSettingsItCannotHonour() {
    assertThatThrownBy(() -> EventGenerator.builder().fileObservationsPerSecond(1_001))
        .hasMessage("fileObservationsPerSecond must be in [0, 1000], got 1001");
    assertThatThrownBy(() -> EventGenerator.builder().fileObservationsPerSecond(-1))
        .hasMessage("fileObservationsPerSecond must be in [0, 1000], got -1");
    assertThatThrownBy(() -> EventGenerator.builder().hosts(0))
        .hasMessage("hosts must be positive, got 0");
    assertThatThrownBy(() -> EventGenerator.builder().malformedShare(1.5))
        .hasMessage("malformedShare must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> EventGenerator.builder().build().next(1_000))
        .hasMessage(
            "file traffic needs event times of at least 2592000000 ms (files carry mtimes up to 30"
                + " days older), got 1000; set fileObservationsPerSecond(0) for earlier times");
  }

  /** Actions {@code gapMillis} apart from START on. */
  private static List<GeneratedRecord> generate(
      EventGenerator generator, int actions, long gapMillis) {
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < actions; i++) {
      records.addAll(generator.next(START + i * gapMillis));
    }
    return records;
  }

  private static List<String> json(List<GeneratedRecord> records) {
    return records.stream()
        .map(r -> r.stream() + " " + r.key() + " " + new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }

  private static Event decoded(EventDecoder decoder, GeneratedRecord record) {
    return ((DecodeResult.Decoded) decoder.decode(record.value())).event();
  }

  private static List<FileEvent> decodeFiles(List<GeneratedRecord> records) {
    EventDecoder decoder = new EventDecoder(EventStream.FILE);
    List<FileEvent> events = new ArrayList<>();
    for (GeneratedRecord record : records) {
      assertThat(record.stream()).isEqualTo(EventStream.FILE);
      events.add((FileEvent) decoded(decoder, record));
    }
    return events;
  }

  private static Comparator<FileEvent> byTime() {
    return Comparator.comparingLong(c -> c.ts);
  }
}
