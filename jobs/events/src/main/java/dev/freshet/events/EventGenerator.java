package dev.freshet.events;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of realistic traffic for both streams. Same seed, same event times: same
 * records.
 *
 * <p>Behaviour: a fixed population of users with a favourite device, songs chosen with a skewed
 * (Zipf-like) popularity, plays that end in a skip, a partial play or a completion, occasional
 * likes and searches. One listener action per call of {@link #next(long)}.
 *
 * <p>Files: the observations of a {@link FileTraceGenerator} stream, a simulated fleet of watched
 * hosts (duplicated channels, split and unpaired renames, inode reuse, touches, storms; see that
 * class), flowing at {@link Builder#fileObservationsPerSecond(int)} of event time from the first
 * call's time on, independent of how often {@link #next(long)} is called. Each call hands out those
 * that have arrived by its time, in arrival order; {@link #finish()} hands out the rest, and {@link
 * #fileTruth()} is what a correct normalizer emits for them.
 *
 * <p>A configurable share of records, behaviour and file alike, is broken on purpose (truncated
 * JSON, wrong types, unknown actions or ops, missing fields). The file truth does not know: it
 * assumes every record arrives intact, so compare with it only at {@code malformedShare} 0.
 */
public final class EventGenerator {

  private static final String[] DEVICES = {"phone", "desktop", "web", "speaker", "car"};
  private static final String[] TAGS = {
    "rock", "pop", "jazz", "electronic", "hip-hop", "classical", "folk", "chill", "workout", "focus"
  };

  private final SplittableRandom random;
  private final int users;
  private final int songs;
  private final double malformedShare;

  /** The fleet's simulation, or null without file traffic. */
  private final FileTraceGenerator files;

  private final boolean keepFileTruth;
  private FileTraceGenerator.TraceStream fileStream;
  private boolean finished;
  private long sequence;

  private EventGenerator(Builder builder) {
    this.random = new SplittableRandom(builder.seed);
    this.users = builder.users;
    this.songs = builder.songs;
    this.malformedShare = builder.malformedShare;
    this.keepFileTruth = builder.keepFileTruth;
    long fileSeed = random.nextLong();
    this.files =
        builder.fileObservationsPerSecond == 0
            ? null
            : builder
                .fleet
                .seed(fileSeed)
                .observationsPerSecond(builder.fileObservationsPerSecond)
                .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The records of the next listener action at (about) the given event time, followed by the file
   * observations that arrived by that time and were not handed out before, in arrival order.
   * Listener event times jitter up to 500 ms into the past, as clocks on real devices do; file
   * observations arrive up to 300 ms after their event time. Event times should not go backwards:
   * file observations flow only as far as the latest time.
   *
   * @throws IllegalArgumentException when the first time is too early for file traffic
   * @throws IllegalStateException after {@link #finish()}
   */
  public List<GeneratedRecord> next(long eventTimeMillis) {
    if (finished) {
      throw new IllegalStateException("finish() was called: the generator makes no more records");
    }
    FileTraceGenerator.TraceStream fleet = files == null ? null : fileStream(eventTimeMillis);
    long ts = Math.max(0, eventTimeMillis - random.nextInt(500));
    List<GeneratedRecord> records = new ArrayList<>();
    records.add(maybeBroken(nextBehaviour(ts)));
    if (fleet != null) {
      for (GeneratedRecord observation : fleet.arrivedBy(eventTimeMillis)) {
        records.add(maybeBroken(observation));
      }
    }
    return records;
  }

  /**
   * Ends the traffic: the file observations still on their way (arriving after the latest time
   * given to {@link #next(long)}), broken at the same share as any record, after which every change
   * in {@link #fileTruth()} has all its observations out. {@link #next(long)} fails from then on.
   */
  public List<GeneratedRecord> finish() {
    finished = true;
    List<GeneratedRecord> records = new ArrayList<>();
    if (fileStream != null) {
      for (GeneratedRecord observation : fileStream.rest()) {
        records.add(maybeBroken(observation));
      }
    }
    return records;
  }

  /**
   * The normalized changes the fleet has made so far, in event-time order (the last ones may have
   * observations still on their way); after {@link #finish()}, exactly what a correct normalizer
   * emits for all file records handed out, provided none was broken ({@code malformedShare} 0): the
   * change of a broken record stays in the truth.
   *
   * @throws IllegalStateException when built with {@code keepFileTruth(false)}
   */
  public List<FileEvent> fileTruth() {
    if (!keepFileTruth) {
      throw new IllegalStateException(
          "the file truth is not kept: the generator was built with keepFileTruth(false)");
    }
    return fileStream == null ? List.of() : fileStream.truth();
  }

  private FileTraceGenerator.TraceStream fileStream(long firstEventTimeMillis) {
    if (fileStream == null) {
      if (firstEventTimeMillis < FileTraceGenerator.MIN_START_MILLIS) {
        throw new IllegalArgumentException(
            "file traffic needs event times of at least "
                + FileTraceGenerator.MIN_START_MILLIS
                + " ms (files carry mtimes up to 30 days older), got "
                + firstEventTimeMillis
                + "; set fileObservationsPerSecond(0) for earlier times");
      }
      fileStream = files.stream(firstEventTimeMillis, keepFileTruth);
    }
    return fileStream;
  }

  private GeneratedRecord nextBehaviour(long ts) {
    int user = random.nextInt(users);
    BehaviourEvent event = new BehaviourEvent();
    event.eventId = "b-" + (++sequence);
    event.userId = "user-" + user;
    event.sessionId = "session-" + user + "-" + (ts / 1_800_000);
    event.device = DEVICES[user % DEVICES.length];
    event.ts = ts;
    double roll = random.nextDouble();
    event.action =
        roll < 0.55
            ? "play"
            : roll < 0.75 ? "skip" : roll < 0.90 ? "complete" : roll < 0.95 ? "like" : "search";
    if (!event.action.equals("search")) {
      int song = zipf(songs);
      event.songId = "song-" + song;
      event.artistId = "artist-" + (song % Math.max(1, songs / 12));
      event.songMs = 120_000L + (song * 7919L) % 240_000L;
      event.playedMs =
          switch (event.action) {
            case "skip" -> (long) random.nextInt(30_000);
            case "complete" -> event.songMs;
            case "play" -> 30_000L + random.nextLong(event.songMs - 30_000L);
            default -> null;
          };
      event.tags = new String[] {TAGS[song % TAGS.length], TAGS[(song / 3 + 5) % TAGS.length]};
    }
    return new GeneratedRecord(EventStream.BEHAVIOUR, event.userId, EventJson.encode(event), false);
  }

  private GeneratedRecord maybeBroken(GeneratedRecord record) {
    if (malformedShare > 0 && random.nextDouble() < malformedShare) {
      return new GeneratedRecord(record.stream(), record.key(), breakRecord(record), true);
    }
    return record;
  }

  private byte[] breakRecord(GeneratedRecord record) {
    String json = new String(record.value(), StandardCharsets.UTF_8);
    String broken =
        switch (random.nextInt(4)) {
          case 0 -> json.substring(0, json.length() / 2);
          case 1 -> json.replaceFirst("\"ts\":\\d+", "\"ts\":\"yesterday\"");
          case 2 -> json.replaceFirst("\"(action|op)\":\"[a-z_]+\"", "\"$1\":\"teleport\"");
          default -> json.replaceFirst("\"event_id\":\"[^\"]+\",", "");
        };
    return broken.getBytes(StandardCharsets.UTF_8);
  }

  /** Skewed choice in [0, n): low indexes are much more popular, like songs. */
  private int zipf(int n) {
    double u = random.nextDouble();
    return (int) Math.min(n - 1, Math.floor(Math.pow(n + 1.0, u) - 1));
  }

  /**
   * Generator settings; the defaults make a small music service and a small fleet (that of {@link
   * FileTraceGenerator.Builder}) with file traffic at 5 observations per second.
   */
  public static final class Builder {
    private final FileTraceGenerator.Builder fleet = FileTraceGenerator.builder();
    private long seed = 42;
    private int users = 500;
    private int songs = 2_000;
    private int fileObservationsPerSecond = 5;
    private boolean keepFileTruth = true;
    private double malformedShare = 0.0;

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder users(int users) {
      this.users = GeneratorArguments.positive("users", users);
      return this;
    }

    public Builder songs(int songs) {
      this.songs = GeneratorArguments.positive("songs", songs);
      return this;
    }

    /** Watched hosts of the simulated fleet, as {@link FileTraceGenerator.Builder#hosts(int)}. */
    public Builder hosts(int hosts) {
      fleet.hosts(hosts);
      return this;
    }

    /** As {@link FileTraceGenerator.Builder#directoriesPerHost(int)}. */
    public Builder directoriesPerHost(int directoriesPerHost) {
      fleet.directoriesPerHost(directoriesPerHost);
      return this;
    }

    /**
     * File observations per second of event time, in [0, 1000]; 0 for no file traffic. The default,
     * 5, makes them about a third of all records at 10 listener actions per second, the pace of the
     * job's tests; raise it with the action rate to keep that share.
     */
    public Builder fileObservationsPerSecond(int fileObservationsPerSecond) {
      if (fileObservationsPerSecond < 0 || fileObservationsPerSecond > 1000) {
        throw new IllegalArgumentException(
            "fileObservationsPerSecond must be in [0, 1000], got " + fileObservationsPerSecond);
      }
      this.fileObservationsPerSecond = fileObservationsPerSecond;
      return this;
    }

    /**
     * Whether to keep the file truth (default true). A generator that runs for hours keeps none, as
     * the truth grows with every change; its records are the same.
     */
    public Builder keepFileTruth(boolean keepFileTruth) {
      this.keepFileTruth = keepFileTruth;
      return this;
    }

    /** Share of records broken on purpose, behaviour and file alike, in [0, 1]. */
    public Builder malformedShare(double malformedShare) {
      this.malformedShare = GeneratorArguments.share("malformedShare", malformedShare);
      return this;
    }

    public EventGenerator build() {
      return new EventGenerator(this);
    }
  }
}
