package dev.freshet.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded generator of file-watch traces together with the true changes behind them, so that tests
 * of the normalizer can count exactly. Same settings and seed: same trace.
 *
 * <p>The fleet: host {@code i} has the filesystem ext4, xfs, overlay or nfs ({@code i mod 4}), one
 * device and a number of directories, each starting with a number of files that exist before the
 * trace begins. Hosts on ext4 and xfs are watched by inotify; about 20% of their changes are
 * reported by the poll channel as well (ts 0..150 ms after the inotify one; a quarter of those
 * pairs arrive poll first), and about 10% are missed by inotify and reported by poll alone (8% by
 * choice, the rest because a report on the other channel would have fallen into the dedup window of
 * another change of the file). Overlay and nfs hosts are blind to inotify: every observation comes
 * by poll and nothing is ever renamed there, as polling cannot see moves. Of the changes a host
 * makes on its own, about 67% are writes (15% of them leave mtime, size and hash as they were),
 * 7.5% creates (half of them reusing a freed inode with the next generation when one is free), 7.5%
 * removes, 8% chmods and, on ext4 and xfs, 10% moves: 80% renames (a fifth of them arriving
 * moved_to first, about a third of them into another directory), 10% moves out of the watched tree
 * (a moved_from alone) and 10% moves into it (a moved_to alone). On top of that, storms of 20 to 60
 * writes hit one directory within 1 to 4 seconds. Event time advances by about 1000 / {@code
 * observationsPerSecond} ms per observation. An observation arrives at most 300 ms after its ts, so
 * none is more than 300 ms of event time behind the latest observation before it.
 *
 * <p>The truth follows these rules:
 *
 * <ol>
 *   <li>A file is (host, device, inode, generation); a new generation of the same device and inode
 *       is a new file, whose content is compared afresh.
 *   <li>An inotify and a poll observation of the same file with the same op and path whose ts are
 *       at most 200 ms apart are one change, {@code deduplicated}. Observations on the same channel
 *       are never duplicates of each other. A change only poll reported is {@code seenByPollOnly}.
 *   <li>A moved_from and a moved_to with the same cookie whose ts are at most 1 s apart, in either
 *       order of ts or arrival, are one RENAME: path the moved_to's, oldPath the moved_from's.
 *   <li>A moved_from with no moved_to of its cookie within 1 s is a REMOVE at its path; a moved_to
 *       with no moved_from within 1 s is a CREATE at its path.
 *   <li>create is CREATE, chmod is CHMOD, remove is REMOVE. Every observation but remove and
 *       moved_from carries (mtime, size, content_hash) and sets the file's last seen content, seen
 *       at the change's ts. A write whose content equals the last seen of the same file, seen at
 *       most the content memory before the write's ts (in event time; default 1 h, the feature
 *       job's default file state TTL), is a TOUCH; any other write, and a write of a file with
 *       nothing seen within the content memory, is a CONTENT_CHANGE.
 *   <li>A change's ts is the smallest ts of its observations.
 *   <li>A change is emitted as a copy of the observation that carries it (see {@link FileEvent}):
 *       the moved_to of a rename, the inotify report of a deduplicated change, else its only
 *       observation; with kind, old path, flags and the change's ts set.
 * </ol>
 *
 * <p>The trace never leaves a rule in doubt: the observations of one change of a file all come
 * before (in event time) those of its next change, so "last seen" is judged in event-time order;
 * two observations of different changes of one file with the same op and path on different channels
 * are more than 200 ms apart; the moves of one inode are more than 1 s apart; cookies are never
 * reused.
 *
 * <p>Two ways to run the simulation: {@link #generate(int)} makes a trace of an exact number of
 * observations at once; {@link #stream()} runs it open-ended, as event time goes by, for a producer
 * that sends observations when they arrive (see {@link TraceStream}). Both make the same changes in
 * the same order; only generate's last change may differ, as it must end on exactly the requested
 * number of observations.
 */
public final class FileTraceGenerator {

  private static final String[] FS_TYPES = {"ext4", "xfs", "overlay", "nfs"};
  private static final String[] EXTENSIONS = {".dat", ".log", ".csv", ".json"};
  private static final String INOTIFY = "inotify";
  private static final String POLL = "poll";

  private static final long DEDUP_WINDOW_MS = 200;
  private static final long RENAME_PAIRING_MS = 1_000;
  private static final int MAX_POLL_OFFSET_MS = 150;
  private static final int MAX_MOVE_GAP_MS = 100;
  private static final int MAX_ARRIVAL_DELAY_MS = 300;
  private static final int MAX_INOTIFY_DELAY_MS = 40;
  private static final long MONTH_MS = 30L * 24 * 3600 * 1000;

  /** How long a file's last content is remembered by default, as the feature job's default. */
  public static final Duration DEFAULT_CONTENT_MEMORY = Duration.ofHours(1);

  /** The earliest start of event time: files carry mtimes up to 30 days before it. */
  static final long MIN_START_MILLIS = MONTH_MS;

  private static final Comparator<Arrival> ARRIVAL_ORDER =
      Comparator.comparingLong(Arrival::at).thenComparingLong(Arrival::sequence);

  private static final double CREATE = 0.075;
  private static final double REMOVE = 0.075;
  private static final double CHMOD = 0.08;
  private static final double MOVE = 0.10;
  private static final double UNCHANGED_WRITE = 0.15;
  private static final double INODE_REUSE = 0.5;
  private static final double MOVED_OUT = 0.10;
  private static final double MOVED_IN = 0.10;
  private static final double OTHER_DIRECTORY = 1.0 / 3;
  private static final double BOTH_CHANNELS = 0.22;
  private static final double POLL_ONLY = 0.08;
  private static final double REVERSED_DUPLICATE = 0.25;
  private static final double REVERSED_RENAME = 0.2;
  private static final double STORM_START = 0.004;

  private final long seed;
  private final int hosts;
  private final int directoriesPerHost;
  private final int filesPerDirectory;
  private final int observationsPerSecond;
  private final long startMillis;
  private final long contentMemoryMillis;

  private FileTraceGenerator(Builder builder) {
    this.seed = builder.seed;
    this.hosts = builder.hosts;
    this.directoriesPerHost = builder.directoriesPerHost;
    this.filesPerDirectory = builder.filesPerDirectory;
    this.observationsPerSecond = builder.observationsPerSecond;
    this.startMillis = builder.startMillis;
    this.contentMemoryMillis = builder.contentMemory.toMillis();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A trace of exactly this many observations; every call with the same settings is the same. */
  public FileTrace generate(int observations) {
    if (observations < 0) {
      throw new IllegalArgumentException("observations must not be negative, got " + observations);
    }
    return new Simulation(this, startMillis, true).run(observations);
  }

  /**
   * The simulation as an open-ended stream of observations, starting at the builder's start time;
   * every stream of the same settings is the same.
   */
  public TraceStream stream() {
    return stream(startMillis, true);
  }

  /**
   * A stream starting at the given event time; without the truth it keeps no list of past changes,
   * for producers that run for hours. Makes the same observations either way.
   */
  TraceStream stream(long startMillis, boolean keepTruth) {
    checkStartMillis(startMillis);
    return new TraceStream(new Simulation(this, startMillis, keepTruth));
  }

  /**
   * The observations of an open-ended simulation in the order they arrive, handed out as time goes
   * by. An observation arrives at most 300 ms after its ts, and no change starts before the
   * simulation's clock, so once the clock has passed a time, every observation arriving by then is
   * known. A stream holds the fleet, the observations made but not yet handed out (a few hundred
   * milliseconds' worth) and the truth.
   */
  public static final class TraceStream {
    private final Simulation simulation;
    private boolean finished;

    private TraceStream(Simulation simulation) {
      this.simulation = simulation;
    }

    /**
     * Runs the simulation until every observation arriving at or before {@code millis} is known,
     * and returns those not returned before, in arrival order (ties in the order they were made, as
     * in {@link #generate(int)}). A time at or before an earlier call's returns nothing.
     *
     * @throws IllegalStateException after {@link #rest()}
     */
    public List<GeneratedRecord> arrivedBy(long millis) {
      return records(arrivalsBy(millis));
    }

    /** {@link #arrivedBy(long)} with the time each observation arrives at. */
    List<Arrival> arrivalsBy(long millis) {
      if (finished) {
        throw new IllegalStateException(
            "the trace stream has ended: rest() was called, so no new change starts");
      }
      simulation.advancePast(millis);
      return simulation.takeArrived(millis);
    }

    /**
     * Ends the stream: starts no new change and returns every observation not returned yet, in
     * arrival order, so that every change in {@link #truth()} is complete.
     */
    public List<GeneratedRecord> rest() {
      finished = true;
      return records(simulation.takeArrived(Long.MAX_VALUE));
    }

    /**
     * The changes started so far, as a correct normalizer emits them, in event-time order. Some of
     * their observations may arrive after the latest {@link #arrivedBy(long)}; after {@link
     * #rest()}, the truth of everything returned.
     *
     * @throws IllegalStateException when the stream keeps no truth
     */
    public List<FileEvent> truth() {
      if (!simulation.keepTruth) {
        throw new IllegalStateException("this trace stream was made without its truth");
      }
      return List.copyOf(simulation.truth);
    }
  }

  /** One run: the fleet's state, the clock and what has been reported so far. */
  private static final class Simulation {
    private final SplittableRandom random;
    private final int filesPerDirectory;
    private final double meanGapMs;
    private final long contentMemoryMillis;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Storm> storms = new ArrayList<>();
    private final boolean keepTruth;
    private final List<FileEvent> truth = new ArrayList<>();

    /** Observations made and not yet handed out. */
    private final List<Arrival> arrivals = new ArrayList<>();

    private long observed;
    private double clock;
    private long nextCookie = 1;

    Simulation(FileTraceGenerator settings, long startMillis, boolean keepTruth) {
      this.random = new SplittableRandom(settings.seed);
      this.filesPerDirectory = settings.filesPerDirectory;
      this.meanGapMs = 1000.0 / settings.observationsPerSecond;
      this.contentMemoryMillis = settings.contentMemoryMillis;
      this.clock = startMillis;
      this.keepTruth = keepTruth;
      for (int h = 0; h < settings.hosts; h++) {
        Host host = new Host(h, settings.directoriesPerHost);
        for (Directory directory : host.directories) {
          for (int f = 0; f < filesPerDirectory; f++) {
            FileState file = new FileState(host, host.nextInode++, 1, directory, host.newName());
            content(file, now() - 1 - random.nextLong(MONTH_MS));
            directory.files.add(file);
          }
        }
        hosts.add(host);
      }
    }

    FileTrace run(int observations) {
      while (observed < observations) {
        advance((int) (observations - observed));
      }
      return new FileTrace(records(takeArrived(Long.MAX_VALUE)), truth);
    }

    /**
     * Makes changes until the clock has passed {@code millis}. A change's observations have ts at
     * or after the clock when it starts, and arrive no earlier than their ts, so every observation
     * arriving by {@code millis} is made by then.
     */
    void advancePast(long millis) {
      while (now() <= millis) {
        advance(Integer.MAX_VALUE);
      }
    }

    /** Hands out the observations made so far that arrive by {@code millis}, in arrival order. */
    List<Arrival> takeArrived(long millis) {
      arrivals.sort(ARRIVAL_ORDER);
      int due = 0;
      while (due < arrivals.size() && arrivals.get(due).at() <= millis) {
        due++;
      }
      List<Arrival> arrived = arrivals.subList(0, due);
      List<Arrival> taken = List.copyOf(arrived);
      arrived.clear();
      return taken;
    }

    /** One change, of at most {@code remaining} observations; or none, but time passes. */
    private void advance(int remaining) {
      long before = observed;
      step(remaining);
      if (observed == before) {
        // Time passes even when the chosen change had to be dropped, so busy files become free.
        tick();
      }
    }

    private void step(int remaining) {
      Storm storm = dueStorm();
      if (storm != null) {
        stormWrite(storm, remaining);
        return;
      }
      if (random.nextDouble() < STORM_START) {
        int writes = 20 + random.nextInt(41);
        double interval = (1000.0 + random.nextInt(3001)) / writes;
        storms.add(new Storm(randomDirectory(), writes, clock, interval));
      }
      Directory directory = randomDirectory();
      double roll = random.nextDouble();
      if (directory.files.isEmpty() || roll < CREATE) {
        create(directory, remaining);
      } else if (roll < CREATE + REMOVE) {
        remove(anyFile(directory), remaining);
      } else if (roll < CREATE + REMOVE + CHMOD) {
        chmod(hotFile(directory), remaining);
      } else if (roll < CREATE + REMOVE + CHMOD + MOVE && directory.host.inotify) {
        move(directory, remaining);
      } else {
        write(hotFile(directory), remaining);
      }
    }

    private Storm dueStorm() {
      for (Storm storm : storms) {
        if (storm.due <= clock) {
          return storm;
        }
      }
      return null;
    }

    private void stormWrite(Storm storm, int remaining) {
      storm.due += storm.interval;
      if (--storm.writesLeft == 0) {
        storms.remove(storm);
      }
      if (storm.directory.files.isEmpty()) {
        create(storm.directory, remaining);
      } else {
        write(hotFile(storm.directory), remaining);
      }
    }

    private void create(Directory directory, int remaining) {
      if (directory.files.size() >= 2 * filesPerDirectory) {
        // Keeps directories near their configured size; removes balance creates only on average.
        write(hotFile(directory), remaining);
        return;
      }
      Host host = directory.host;
      FreedInode freed = host.freed.peekFirst();
      boolean reuse = freed != null && random.nextDouble() < INODE_REUSE;
      FileState file =
          reuse
              ? new FileState(host, freed.inode, freed.generation + 1, directory, host.newName())
              : new FileState(host, host.nextInode++, 1, directory, host.newName());
      if (reuse) {
        host.freed.removeFirst();
        file.lastMoveTs = freed.lastMoveTs;
      }
      long ts = now();
      content(file, ts);
      directory.files.add(file);
      // A new file has no history that its observations could be mistaken for.
      report(file, "create", ChangeKind.CREATE, sighting(file, "create", ts, remaining));
    }

    private void remove(FileState file, int remaining) {
      Sighting sighting = sighting(file, "remove", now(), remaining);
      if (sighting != null) {
        report(file, "remove", ChangeKind.REMOVE, sighting);
        file.directory.files.remove(file);
        file.host.freed.addLast(new FreedInode(file.inode, file.generation, file.lastMoveTs));
      }
    }

    private void write(FileState file, int remaining) {
      long ts = now();
      Sighting sighting = sighting(file, "write", ts, remaining);
      if (sighting == null) {
        return;
      }
      boolean unchanged = random.nextDouble() < UNCHANGED_WRITE;
      if (!unchanged) {
        content(file, ts);
      }
      report(
          file,
          "write",
          unchanged && file.remembersContentAt(ts, contentMemoryMillis)
              ? ChangeKind.TOUCH
              : ChangeKind.CONTENT_CHANGE,
          sighting);
    }

    private void chmod(FileState file, int remaining) {
      Sighting sighting = sighting(file, "chmod", now(), remaining);
      if (sighting != null) {
        report(file, "chmod", ChangeKind.CHMOD, sighting);
      }
    }

    private void move(Directory directory, int remaining) {
      double roll = random.nextDouble();
      long ts = now();
      if (roll < MOVED_IN) {
        FileState file =
            new FileState(
                directory.host, directory.host.nextInode++, 1, directory, directory.host.newName());
        content(file, ts - 1 - random.nextLong(MONTH_MS));
        directory.files.add(file);
        FileEvent movedTo =
            observe(
                file, "moved_to", INOTIFY, ts, random.nextInt(MAX_INOTIFY_DELAY_MS + 1), cookie());
        file.lastMoveTs = ts;
        file.contentSeenAt = ts;
        addTruth(movedTo, ChangeKind.CREATE, null, ts, false, false);
        return;
      }
      FileState file = anyFile(directory);
      if (ts <= file.busyUntil || file.lastMoveTs >= ts - RENAME_PAIRING_MS) {
        return;
      }
      if (roll < MOVED_IN + MOVED_OUT) {
        FileEvent movedFrom =
            observe(
                file,
                "moved_from",
                INOTIFY,
                ts,
                random.nextInt(MAX_INOTIFY_DELAY_MS + 1),
                cookie());
        directory.files.remove(file);
        addTruth(movedFrom, ChangeKind.REMOVE, null, ts, false, false);
      } else if (remaining >= 2) {
        rename(file, ts);
      }
    }

    private void rename(FileState file, long ts) {
      Host host = file.host;
      Directory target =
          random.nextDouble() < OTHER_DIRECTORY
              ? host.directories.get(random.nextInt(host.directories.size()))
              : file.directory;
      long toTs = ts + random.nextInt(MAX_MOVE_GAP_MS + 1);
      long fromDelay;
      long toDelay;
      if (random.nextDouble() < REVERSED_RENAME) {
        toDelay = random.nextInt(MAX_INOTIFY_DELAY_MS + 1);
        fromDelay = (toTs - ts) + toDelay + 1 + random.nextInt(100);
      } else {
        fromDelay = random.nextInt(MAX_INOTIFY_DELAY_MS + 1);
        toDelay = Math.max(random.nextInt(MAX_INOTIFY_DELAY_MS + 1), ts + fromDelay - toTs + 1);
      }
      long cookie = cookie();
      String oldPath = file.path;
      observe(file, "moved_from", INOTIFY, ts, fromDelay, cookie);
      file.directory.files.remove(file);
      file.directory = target;
      file.path = target.path + "/" + host.newName();
      target.files.add(file);
      FileEvent movedTo = observe(file, "moved_to", INOTIFY, toTs, toDelay, cookie);
      file.lastMoveTs = toTs;
      file.contentSeenAt = ts;
      addTruth(movedTo, ChangeKind.RENAME, oldPath, ts, false, false);
    }

    /**
     * The channels that report a change of the file at ts, or null when the file is still busy with
     * its previous change. Where the wanted channels would pair an observation with one of another
     * change of the file (rule 2), the change is reported on the channel that would not.
     */
    private Sighting sighting(FileState file, String op, long ts, int remaining) {
      if (ts <= file.busyUntil) {
        return null;
      }
      if (!file.host.inotify) {
        return new Sighting(ts, false, true, ts);
      }
      double roll = random.nextDouble();
      boolean inotifyFits = !file.reportedNear(POLL, op, ts);
      boolean pollFits = !file.reportedNear(INOTIFY, op, ts);
      if (roll < BOTH_CHANNELS && remaining >= 2 && inotifyFits) {
        long pollTs = ts + random.nextInt(MAX_POLL_OFFSET_MS + 1);
        if (!file.reportedNear(INOTIFY, op, pollTs)) {
          return new Sighting(ts, true, true, pollTs);
        }
      }
      boolean wantsPoll = roll >= 1 - POLL_ONLY;
      if (wantsPoll ? pollFits : inotifyFits) {
        return new Sighting(ts, !wantsPoll, wantsPoll, ts);
      }
      if (wantsPoll ? inotifyFits : pollFits) {
        return new Sighting(ts, wantsPoll, !wantsPoll, ts);
      }
      return null;
    }

    private void report(FileState file, String op, ChangeKind kind, Sighting sighting) {
      if (!op.equals("remove")) {
        file.contentSeenAt = sighting.ts();
      }
      if (sighting.inotify() && sighting.poll()) {
        long inotifyDelay;
        long pollDelay;
        if (random.nextDouble() < REVERSED_DUPLICATE) {
          pollDelay = random.nextInt(51);
          inotifyDelay = (sighting.pollTs() - sighting.ts()) + pollDelay + 1 + random.nextInt(100);
        } else {
          inotifyDelay = random.nextInt(MAX_INOTIFY_DELAY_MS + 1);
          pollDelay =
              Math.max(
                  random.nextInt(MAX_ARRIVAL_DELAY_MS + 1),
                  sighting.ts() + inotifyDelay - sighting.pollTs() + 1);
        }
        FileEvent byInotify = observe(file, op, INOTIFY, sighting.ts(), inotifyDelay, null);
        observe(file, op, POLL, sighting.pollTs(), pollDelay, null);
        addTruth(byInotify, kind, null, sighting.ts(), true, false);
      } else if (sighting.inotify()) {
        FileEvent byInotify =
            observe(
                file, op, INOTIFY, sighting.ts(), random.nextInt(MAX_INOTIFY_DELAY_MS + 1), null);
        addTruth(byInotify, kind, null, sighting.ts(), false, false);
      } else {
        FileEvent byPoll =
            observe(file, op, POLL, sighting.ts(), random.nextInt(MAX_ARRIVAL_DELAY_MS + 1), null);
        addTruth(byPoll, kind, null, sighting.ts(), false, true);
      }
    }

    private FileEvent observe(
        FileState file, String op, String channel, long ts, long delay, Long cookie) {
      FileEvent event = new FileEvent();
      event.eventId = "f-" + (observed + 1);
      event.host = file.host.name;
      event.path = file.path;
      event.device = file.host.device;
      event.inode = file.inode;
      event.generation = file.generation;
      event.op = op;
      event.cookie = cookie;
      if (!op.equals("remove") && !op.equals("moved_from")) {
        event.mtime = file.mtime;
        event.size = file.size;
        event.contentHash = file.contentHash;
      }
      event.channel = channel;
      event.fsType = file.host.fsType;
      event.ts = ts;
      arrivals.add(new Arrival(ts + delay, observed++, event));
      file.reported.merge(channel + ' ' + op + ' ' + file.path, ts, Math::max);
      file.busyUntil = Math.max(file.busyUntil, ts);
      tick();
      return event;
    }

    /** Records the change {@code carrier} carries, as the normalizer is to emit it. */
    private void addTruth(
        FileEvent carrier,
        ChangeKind kind,
        String oldPath,
        long ts,
        boolean deduplicated,
        boolean seenByPollOnly) {
      if (!keepTruth) {
        return;
      }
      FileEvent change = carrier.copy();
      change.kind = kind;
      change.oldPath = oldPath;
      change.ts = ts;
      change.deduplicated = deduplicated;
      change.seenByPollOnly = seenByPollOnly;
      truth.add(change);
    }

    private void content(FileState file, long mtime) {
      file.mtime = mtime;
      file.size =
          file.size > 0 && random.nextDouble() < 0.7
              ? file.size + 1 + random.nextInt(65_536)
              : 1 + random.nextInt(4 << 20);
      file.contentHash = Long.toHexString(random.nextLong());
    }

    private long cookie() {
      return nextCookie++;
    }

    private Directory randomDirectory() {
      Host host = hosts.get(random.nextInt(hosts.size()));
      return host.directories.get(random.nextInt(host.directories.size()));
    }

    private FileState anyFile(Directory directory) {
      return directory.files.get(random.nextInt(directory.files.size()));
    }

    /** Skewed choice: the oldest files of a directory take most of the writes. */
    private FileState hotFile(Directory directory) {
      int n = directory.files.size();
      int index = (int) Math.min(n - 1, Math.floor(Math.pow(n + 1.0, random.nextDouble()) - 1));
      return directory.files.get(index);
    }

    private long now() {
      return (long) clock;
    }

    /** At least 1 ms per step, so every change of a file has its own event time. */
    private void tick() {
      clock += 1 + random.nextDouble() * 2 * (meanGapMs - 1);
    }
  }

  private static final class Host {
    final String name;
    final long device;
    final String fsType;
    final boolean inotify;
    final List<Directory> directories = new ArrayList<>();

    /** Inodes of removed files, oldest first; a create may reuse the oldest. */
    final Deque<FreedInode> freed = new ArrayDeque<>();

    long nextInode = 12;
    long nextName;

    Host(int index, int directoryCount) {
      this.name = "host-" + index;
      this.device = 2049L + index;
      this.fsType = FS_TYPES[index % FS_TYPES.length];
      this.inotify = fsType.equals("ext4") || fsType.equals("xfs");
      for (int d = 0; d < directoryCount; d++) {
        directories.add(new Directory(this, "/srv/data/dir-" + d));
      }
    }

    String newName() {
      long n = nextName++;
      return "file-" + n + EXTENSIONS[(int) (n % EXTENSIONS.length)];
    }
  }

  private static final class Directory {
    final Host host;
    final String path;
    final List<FileState> files = new ArrayList<>();

    Directory(Host host, String path) {
      this.host = host;
      this.path = path;
    }
  }

  /** One file (one generation of an inode) as it really is, and what has been reported of it. */
  private static final class FileState {
    final Host host;
    final long inode;
    final long generation;
    Directory directory;
    String path;
    long mtime;
    long size;
    String contentHash;

    /** The ts of the latest change that carried the file's content; null before the first. */
    Long contentSeenAt;

    long busyUntil = Long.MIN_VALUE;
    long lastMoveTs = Long.MIN_VALUE;

    /** Latest ts per "channel op path", to keep changes apart from each other's duplicates. */
    final Map<String, Long> reported = new HashMap<>();

    FileState(Host host, long inode, long generation, Directory directory, String name) {
      this.host = host;
      this.inode = inode;
      this.generation = generation;
      this.directory = directory;
      this.path = directory.path + "/" + name;
    }

    boolean remembersContentAt(long ts, long contentMemoryMillis) {
      return contentSeenAt != null && ts - contentSeenAt <= contentMemoryMillis;
    }

    /**
     * Whether an observation at ts on the other channel would fall into the dedup window of an
     * earlier one on this channel. Checking the latest is enough, as a change starts only after
     * every observation of the file so far (busyUntil).
     */
    boolean reportedNear(String channel, String op, long ts) {
      Long latest = reported.get(channel + ' ' + op + ' ' + path);
      return latest != null && latest >= ts - DEDUP_WINDOW_MS;
    }
  }

  private static final class Storm {
    final Directory directory;
    final double interval;
    int writesLeft;
    double due;

    Storm(Directory directory, int writes, double due, double interval) {
      this.directory = directory;
      this.writesLeft = writes;
      this.due = due;
      this.interval = interval;
    }
  }

  /**
   * What a new generation of a removed file's inode takes over from it; the removed file's report
   * history is not kept, as a long stream would pile it up.
   */
  private record FreedInode(long inode, long generation, long lastMoveTs) {}

  private record Sighting(long ts, boolean inotify, boolean poll, long pollTs) {}

  /** An observation, when it arrives, and its place in the order observations were made in. */
  record Arrival(long at, long sequence, FileEvent event) {

    GeneratedRecord record() {
      return new GeneratedRecord(EventStream.FILE, event.host, EventJson.encode(event), false);
    }
  }

  private static List<GeneratedRecord> records(List<Arrival> arrivals) {
    List<GeneratedRecord> records = new ArrayList<>(arrivals.size());
    for (Arrival arrival : arrivals) {
      records.add(arrival.record());
    }
    return records;
  }

  private static long checkStartMillis(long startMillis) {
    if (startMillis < MIN_START_MILLIS) {
      throw new IllegalArgumentException(
          "startMillis must be at least "
              + MIN_START_MILLIS
              + " (files carry mtimes up to 30 days older), got "
              + startMillis);
    }
    return startMillis;
  }

  /** Generator settings; the defaults make a small fleet of 8 hosts, two on each filesystem. */
  public static final class Builder {
    private long seed = 42;
    private int hosts = 8;
    private int directoriesPerHost = 12;
    private int filesPerDirectory = 8;
    private int observationsPerSecond = 100;
    private long startMillis = 1_700_000_000_000L;
    private Duration contentMemory = DEFAULT_CONTENT_MEMORY;

    public Builder seed(long seed) {
      this.seed = seed;
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

    /** Files each directory starts with; creates stop adding files at twice this many. */
    public Builder filesPerDirectory(int filesPerDirectory) {
      this.filesPerDirectory = GeneratorArguments.positive("filesPerDirectory", filesPerDirectory);
      return this;
    }

    /**
     * Pace of event time, in [1, 1000]: at most 1000 so that every change of a file gets an event
     * time of its own.
     */
    public Builder observationsPerSecond(int observationsPerSecond) {
      if (observationsPerSecond < 1 || observationsPerSecond > 1000) {
        throw new IllegalArgumentException(
            "observationsPerSecond must be in [1, 1000], got " + observationsPerSecond);
      }
      this.observationsPerSecond = observationsPerSecond;
      return this;
    }

    /** Event time of the first observation, epoch milliseconds. */
    public Builder startMillis(long startMillis) {
      this.startMillis = checkStartMillis(startMillis);
      return this;
    }

    /**
     * How long after a change the file's content is remembered, in event time; the normalizer's
     * file state TTL (see the truth's rules).
     */
    public Builder contentMemory(Duration contentMemory) {
      if (contentMemory.isNegative() || contentMemory.isZero()) {
        throw new IllegalArgumentException("contentMemory must be positive, got " + contentMemory);
      }
      this.contentMemory = contentMemory;
      return this;
    }

    public FileTraceGenerator build() {
      return new FileTraceGenerator(this);
    }
  }
}
