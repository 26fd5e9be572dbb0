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
 * likes and searches. Files: hosts on different filesystems, directories with a handful of hot
 * files, writes in bursts, chmods, creates, removes and renames split into moved_from and moved_to
 * that share a cookie; hosts on overlay or NFS are watched by polling only, others by inotify with
 * the poll channel reporting a share of the same changes a second time. A configurable share of
 * records is broken on purpose (truncated JSON, wrong types, unknown actions, missing fields).
 */
public final class EventGenerator {

  private static final String[] DEVICES = {"phone", "desktop", "web", "speaker", "car"};
  private static final String[] TAGS = {
    "rock", "pop", "jazz", "electronic", "hip-hop", "classical", "folk", "chill", "workout", "focus"
  };
  private static final String[] FS_TYPES = {"ext4", "xfs", "overlay", "nfs"};

  private final SplittableRandom random;
  private final int users;
  private final int songs;
  private final int hosts;
  private final int directoriesPerHost;
  private final double fileShare;
  private final double malformedShare;
  private long sequence;
  private long nextCookie = 1;

  private EventGenerator(Builder builder) {
    this.random = new SplittableRandom(builder.seed);
    this.users = builder.users;
    this.songs = builder.songs;
    this.hosts = builder.hosts;
    this.directoriesPerHost = builder.directoriesPerHost;
    this.fileShare = builder.fileShare;
    this.malformedShare = builder.malformedShare;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The records of the next generated action at (about) the given event time. Event times jitter up
   * to 500 ms into the past, as clocks on real devices do. One action can yield several records (a
   * rename's two halves, a change reported by both channels).
   */
  public List<GeneratedRecord> next(long eventTimeMillis) {
    long ts = Math.max(0, eventTimeMillis - random.nextInt(500));
    List<GeneratedRecord> records =
        random.nextDouble() < fileShare ? nextFileRecords(ts) : List.of(nextBehaviour(ts));
    if (malformedShare > 0 && random.nextDouble() < malformedShare) {
      List<GeneratedRecord> withBroken = new ArrayList<>(records);
      GeneratedRecord victim = records.get(0);
      withBroken.set(
          0, new GeneratedRecord(victim.stream(), victim.key(), breakRecord(victim), true));
      return withBroken;
    }
    return records;
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

  private List<GeneratedRecord> nextFileRecords(long ts) {
    int host = random.nextInt(hosts);
    String fsType = FS_TYPES[host % FS_TYPES.length];
    boolean inotifyBlind = fsType.equals("overlay") || fsType.equals("nfs");
    int directory = random.nextInt(directoriesPerHost);
    int file = zipf(8);
    FileEvent event = new FileEvent();
    event.eventId = "f-" + (++sequence);
    event.host = "host-" + host;
    event.device = 2049L + host;
    event.fsType = fsType;
    event.path = "/srv/data/dir-" + directory + "/file-" + file + ".dat";
    event.inode = 100_000L + directory * 100L + file;
    event.generation = 1L;
    event.ts = ts;
    event.channel = inotifyBlind ? "poll" : "inotify";
    double roll = random.nextDouble();
    if (roll < 0.05) {
      return renameHalves(event);
    }
    event.op = roll < 0.70 ? "write" : roll < 0.80 ? "create" : roll < 0.90 ? "chmod" : "remove";
    if (!event.op.equals("remove")) {
      event.size = 1024L * (1 + random.nextInt(4096));
      event.mtime = ts;
      event.contentHash = Long.toHexString(random.nextLong());
    }
    List<GeneratedRecord> records = new ArrayList<>();
    records.add(fileRecord(event));
    if (!inotifyBlind && random.nextDouble() < 0.2) {
      FileEvent seenByPoll = event.copy();
      seenByPoll.eventId = "f-" + (++sequence);
      seenByPoll.channel = "poll";
      seenByPoll.ts = ts + 50 + random.nextInt(150);
      records.add(fileRecord(seenByPoll));
    }
    return records;
  }

  private List<GeneratedRecord> renameHalves(FileEvent from) {
    from.op = "moved_from";
    from.cookie = nextCookie++;
    FileEvent to = from.copy();
    to.eventId = "f-" + (++sequence);
    to.op = "moved_to";
    to.path = from.path.replace(".dat", ".renamed");
    to.ts = from.ts + random.nextInt(20);
    return List.of(fileRecord(from), fileRecord(to));
  }

  private static GeneratedRecord fileRecord(FileEvent event) {
    return new GeneratedRecord(EventStream.FILE, event.host, EventJson.encode(event), false);
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

  /** Skewed choice in [0, n): low indexes are much more popular, like songs and hot files. */
  private int zipf(int n) {
    double u = random.nextDouble();
    return (int) Math.min(n - 1, Math.floor(Math.pow(n + 1.0, u) - 1));
  }

  /** Generator settings; the defaults make a small music service and a small fleet. */
  public static final class Builder {
    private long seed = 42;
    private int users = 500;
    private int songs = 2_000;
    private int hosts = 8;
    private int directoriesPerHost = 12;
    private double fileShare = 0.4;
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

    public Builder hosts(int hosts) {
      this.hosts = GeneratorArguments.positive("hosts", hosts);
      return this;
    }

    public Builder directoriesPerHost(int directoriesPerHost) {
      this.directoriesPerHost =
          GeneratorArguments.positive("directoriesPerHost", directoriesPerHost);
      return this;
    }

    /** Share of actions that are file changes rather than listener behaviour, in [0, 1]. */
    public Builder fileShare(double fileShare) {
      this.fileShare = GeneratorArguments.share("fileShare", fileShare);
      return this;
    }

    /** Share of actions whose first record is broken on purpose, in [0, 1]. */
    public Builder malformedShare(double malformedShare) {
      this.malformedShare = GeneratorArguments.share("malformedShare", malformedShare);
      return this;
    }

    public EventGenerator build() {
      return new EventGenerator(this);
    }
  }
}
