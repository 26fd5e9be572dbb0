package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.freshet.events.ChangeKind;
import dev.freshet.events.DecodeResult;
import dev.freshet.events.EventDecoder;
import dev.freshet.events.EventStream;
import dev.freshet.events.FileEvent;
import dev.freshet.events.FileTrace;
import dev.freshet.events.FileTraceGenerator;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.job.FileEventNormalizer.FileContent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileEventNormalizerTest {

  private static final Duration STATE_TTL = Duration.ofHours(1);
  private static final String PATH = "/srv/data/dir-1/file-1.dat";
  private static final String NEW_PATH = "/srv/data/dir-1/file-1.renamed";

  private KeyedOneInputStreamOperatorTestHarness<String, FileEvent, FileEvent> harness;
  private int sequence;

  @BeforeEach
  void open() throws Exception {
    harness = normalizer(STATE_TTL);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, FileEvent, FileEvent> normalizer(
      Duration stateTtl) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        newNormalizer(stateTtl), FileEventNormalizer::keyOf, Types.STRING);
  }

  /** A 200 ms dedup window and a 1 s rename timeout, as the job's defaults. */
  private static FileEventNormalizer newNormalizer(Duration stateTtl) {
    return new FileEventNormalizer(Duration.ofMillis(200), Duration.ofSeconds(1), stateTtl);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void bothChannelsWithinTheWindowAreOneChangeWhicheverArrivesFirst() throws Exception {
    observe(write("poll", 1_120, 1L, "h1"));
    FileEvent byInotify = observe(write("inotify", 1_000, 1L, "h1"));
    harness.processWatermark(1_199);
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processWatermark(1_200);

    assertThat(changes())
        .containsExactly(
            change(ChangeKind.CONTENT_CHANGE, 1_000, PATH, null, true, false, byInotify));
  }

  @Test
  void theSameChangeOutsideTheWindowIsAPollOnlyTouch() throws Exception {
    FileEvent byInotify = observe(write("inotify", 1_000, 1L, "h1"));
    FileEvent byPoll = observe(write("poll", 1_201, 1L, "h1"));
    harness.processWatermark(2_000);

    assertThat(changes())
        .containsExactly(
            change(ChangeKind.CONTENT_CHANGE, 1_000, PATH, null, false, false, byInotify),
            change(ChangeKind.TOUCH, 1_201, PATH, null, false, true, byPoll));
  }

  @Test
  void renameHalvesPairInEitherOrder() throws Exception {
    FileEvent movedTo = observe(move("moved_to", 1_010, NEW_PATH, 7L));
    observe(move("moved_from", 1_000, PATH, 7L));
    harness.processWatermark(1_210);

    assertThat(changes())
        .containsExactly(change(ChangeKind.RENAME, 1_000, NEW_PATH, PATH, false, false, movedTo));
  }

  @Test
  void aHalfStillAloneAfterTheTimeoutIsARemoveOrACreate() throws Exception {
    FileEvent movedFrom = observe(move("moved_from", 1_000, PATH, 7L));
    harness.processWatermark(1_999);
    assertThat(harness.extractOutputValues()).isEmpty();
    harness.processWatermark(2_000);
    FileEvent movedTo = observe(move("moved_to", 5_000, NEW_PATH, 8L));
    harness.processWatermark(6_000);

    assertThat(changes())
        .containsExactly(
            change(ChangeKind.REMOVE, 1_000, PATH, null, false, false, movedFrom),
            change(ChangeKind.CREATE, 5_000, NEW_PATH, null, false, false, movedTo));
  }

  @Test
  void aNewGenerationIsANewFileWhoseHistoryStartsAfresh() throws Exception {
    observe(op("create", "inotify", 1_000, 1L, "h1"));
    observe(write("inotify", 2_000, 1L, "h1"));
    observe(op("remove", "inotify", 3_000, 1L, null));
    observe(write("inotify", 4_000, 2L, "h1"));
    observe(write("inotify", 5_000, 2L, "h2"));
    harness.processWatermark(6_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind, e -> e.generation)
        .containsExactly(
            tuple(ChangeKind.CREATE, 1L),
            tuple(ChangeKind.TOUCH, 1L),
            tuple(ChangeKind.REMOVE, 1L),
            tuple(ChangeKind.CONTENT_CHANGE, 2L),
            tuple(ChangeKind.CONTENT_CHANGE, 2L));
  }

  @Test
  void anUnchangedWriteIsATouchUpToTheTtlAfterTheLastContentAndAContentChangeAfter()
      throws Exception {
    long ttl = STATE_TTL.toMillis();
    observe(write("inotify", 1_000, 1L, "h1"));
    observe(write("inotify", 1_000 + ttl, 1L, "h1"));
    observe(write("inotify", 1_000 + 2 * ttl + 1, 1L, "h1"));
    harness.processWatermark(2 * ttl + 2_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind)
        .containsExactly(ChangeKind.CONTENT_CHANGE, ChangeKind.TOUCH, ChangeKind.CONTENT_CHANGE);
  }

  @Test
  void aFileIsForgottenOnceTheWatermarkPassesItsLastContentByTheTtl() throws Exception {
    long ttl = STATE_TTL.toMillis();
    observe(write("inotify", 1_000, 1L, "h1"));
    harness.processWatermark(2_000);
    assertThat(harness.numKeyedStateEntries()).isPositive();
    assertThat(harness.numEventTimeTimers()).as("the timer to forget the content").isOne();

    harness.processWatermark(1_000 + ttl);
    assertThat(harness.numKeyedStateEntries()).isPositive();
    harness.processWatermark(1_000 + ttl + 1);

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void theWallClockNeverForgetsAFileWhileTheWatermarkStandsStill() throws Exception {
    observe(write("inotify", 1_000, 1L, "h1"));
    harness.processWatermark(2_000);
    harness.setProcessingTime(10 * STATE_TTL.toMillis());
    harness.setStateTtlProcessingTime(10 * STATE_TTL.toMillis());
    observe(write("inotify", 3_000, 1L, "h1"));
    harness.processWatermark(4_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind)
        .containsExactly(ChangeKind.CONTENT_CHANGE, ChangeKind.TOUCH);
  }

  @Test
  void aWriteFromWithinTheTtlStillFindsTheContentWhenItWaitedPastTheTtlBehindARenameHalf()
      throws Exception {
    long ttl = STATE_TTL.toMillis();
    observe(write("inotify", 1_000, 1L, "h1"));
    harness.processWatermark(2_000);
    observe(move("moved_to", 1_000 + ttl - 300, NEW_PATH, 7L));
    observe(write("inotify", 1_000 + ttl - 100, 1L, "h1"));
    harness.processWatermark(1_000 + ttl + 1);
    assertThat(harness.extractOutputValues()).hasSize(1);

    harness.processWatermark(1_000 + ttl + 2_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind)
        .containsExactly(ChangeKind.CONTENT_CHANGE, ChangeKind.CREATE, ChangeKind.TOUCH);
  }

  @Test
  void contentKeptUnderFlinksProcessingTimeTtlRestoresAndIsForgottenInEventTime() throws Exception {
    harness.close();
    KeyedOneInputStreamOperatorTestHarness<String, FileEvent, FileEvent> before =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ProcessingTimeTtlLayout(), FileEventNormalizer::keyOf, Types.STRING);
    before.processElement(write("inotify", 1_000, 1L, "h1"), 1_000);
    OperatorSubtaskState snapshot = before.snapshot(1, 1);
    before.close();

    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(newNormalizer(STATE_TTL)),
            FileEventNormalizer::keyOf,
            Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
    long ttl = STATE_TTL.toMillis();
    observe(op("chmod", "inotify", 5_000, 1L, null));
    harness.processWatermark(6_000);
    observe(write("inotify", 5_200 + ttl, 1L, "h1"));
    harness.processWatermark(5_200 + ttl + 1_000);
    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind)
        .containsExactly(ChangeKind.CHMOD, ChangeKind.TOUCH);

    harness.processWatermark(Long.MAX_VALUE);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  /** The content state as it was kept before: under Flink's processing-time TTL, with no time. */
  private static final class ProcessingTimeTtlLayout
      extends KeyedProcessFunction<String, FileEvent, FileEvent> {
    @Override
    public void processElement(FileEvent event, Context ctx, Collector<FileEvent> out)
        throws Exception {
      ValueStateDescriptor<FileContent> descriptor =
          new ValueStateDescriptor<>("normalizer.content", TypeInformation.of(FileContent.class));
      descriptor.enableTimeToLive(
          StateTtlConfig.newBuilder(STATE_TTL)
              .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
              .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
              .build());
      FileContent content = new FileContent();
      content.generation = event.generationOrZero();
      content.mtime = event.mtime;
      content.size = event.size;
      content.contentHash = event.contentHash;
      getRuntimeContext().getState(descriptor).update(content);
    }
  }

  private FileEvent observe(FileEvent event) throws Exception {
    harness.processElement(event, event.ts);
    return event;
  }

  /** What the normalizer emitted, as {@link #change} describes a change. */
  private List<Tuple> changes() {
    return harness.extractOutputValues().stream().map(FileEventNormalizerTest::describe).toList();
  }

  private static Tuple describe(FileEvent change) {
    return tuple(
        change.kind,
        change.ts,
        change.path,
        change.oldPath,
        change.deduplicated,
        change.seenByPollOnly,
        change.eventId,
        change.channel);
  }

  private FileEvent write(String channel, long ts, long generation, String hash) {
    return op("write", channel, ts, generation, hash);
  }

  private FileEvent op(String op, String channel, long ts, long generation, String hash) {
    FileEvent event = base(op, channel, ts, PATH);
    event.generation = generation;
    if (hash != null) {
      event.mtime = 500L;
      event.size = 4096L;
      event.contentHash = hash;
    }
    return event;
  }

  private FileEvent move(String op, long ts, String path, long cookie) {
    FileEvent event = base(op, "inotify", ts, path);
    event.generation = 1L;
    event.cookie = cookie;
    return event;
  }

  private FileEvent base(String op, String channel, long ts, String path) {
    FileEvent event = new FileEvent();
    event.eventId = "f-" + (++sequence);
    event.host = "host-1";
    event.device = 2049;
    event.inode = 100_101;
    event.op = op;
    event.channel = channel;
    event.fsType = "ext4";
    event.path = path;
    event.ts = ts;
    return event;
  }

  /** A change as the copy of the observation {@code carrier} with kind, ts and flags set. */
  private static Tuple change(
      ChangeKind kind,
      long ts,
      String path,
      String oldPath,
      boolean deduplicated,
      boolean pollOnly,
      FileEvent carrier) {
    return tuple(kind, ts, path, oldPath, deduplicated, pollOnly, carrier.eventId, carrier.channel);
  }

  @Test
  void aCompleteRenameWaitsBehindEarlierChangesOfItsFile() throws Exception {
    observe(write("inotify", 3_500, 1L, "h1"));
    observe(move("moved_from", 5_000, PATH, 7L));
    observe(move("moved_to", 5_010, NEW_PATH, 7L));
    harness.processWatermark(4_009);
    observe(write("inotify", 4_800, 1L, "h2"));
    harness.processWatermark(6_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind, e -> e.ts)
        .containsExactly(
            tuple(ChangeKind.CONTENT_CHANGE, 3_500L),
            tuple(ChangeKind.CONTENT_CHANGE, 4_800L),
            tuple(ChangeKind.RENAME, 5_000L));
  }

  @Test
  void anObservationTooLateToPlaceGoesToTheSideOutput() throws Exception {
    observe(write("inotify", 1_000, 1L, "h1"));
    observe(write("inotify", 3_000, 1L, "h2"));
    harness.processWatermark(3_500);
    observe(write("poll", 1_100, 1L, "h1"));
    harness.processWatermark(5_000);

    assertThat(harness.extractOutputValues()).extracting(e -> e.ts).containsExactly(1_000L, 3_000L);
    assertThat(harness.getSideOutput(FileEventNormalizer.LATE_OBSERVATIONS))
        .extracting(record -> record.getValue().ts)
        .containsExactly(1_100L);
  }

  @Test
  void aPartnerArrivingAfterItsChangeWasJudgedIsLateNotASecondChange() throws Exception {
    observe(write("inotify", 1_000, 1L, "h1"));
    harness.processWatermark(1_200);
    FileEvent byPoll = observe(write("poll", 1_150, 1L, "h1"));
    harness.processWatermark(2_000);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.kind, e -> e.ts)
        .containsExactly(tuple(ChangeKind.CONTENT_CHANGE, 1_000L));
    assertThat(harness.getSideOutput(FileEventNormalizer.LATE_OBSERVATIONS))
        .extracting(record -> record.getValue().eventId)
        .containsExactly(byPoll.eventId);
  }

  /** Ten seconds forget many files within the trace's 1,000 s of event time, an hour none. */
  @ParameterizedTest
  @ValueSource(ints = {10, 3_600})
  void aGeneratedTraceNormalizesToItsGroundTruthExactly(int stateTtlSeconds) throws Exception {
    Duration stateTtl = Duration.ofSeconds(stateTtlSeconds);
    harness.close();
    harness = normalizer(stateTtl);
    FileTrace trace =
        FileTraceGenerator.builder().seed(7).contentMemory(stateTtl).build().generate(100_000);
    EventDecoder decoder = new EventDecoder(EventStream.FILE);
    long maxTs = Long.MIN_VALUE;
    for (GeneratedRecord record : trace.observations()) {
      FileEvent event = (FileEvent) ((DecodeResult.Decoded) decoder.decode(record.value())).event();
      observe(event);
      maxTs = Math.max(maxTs, event.ts);
      // As the job's sources do: bounded out-of-orderness of one second.
      harness.processWatermark(maxTs - 1_000);
    }
    harness.processWatermark(Long.MAX_VALUE);

    Comparator<FileEvent> order =
        Comparator.comparingLong((FileEvent e) -> e.ts)
            .thenComparing(e -> e.host)
            .thenComparingLong(e -> e.inode);
    List<FileEvent> normalized = new ArrayList<>(harness.extractOutputValues());
    normalized.sort(order);
    assertThat(normalized).containsExactlyElementsOf(trace.truth());
    assertThat(harness.numEventTimeTimers()).isZero();
  }
}
