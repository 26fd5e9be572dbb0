package dev.freshet.events;

import java.util.List;
import java.util.Objects;

/**
 * A file event: either an observation, as a host agent reports it through inotify or polling, or a
 * normalized change, as the normalizer emits it. A Flink POJO: public fields, no-arg constructor.
 *
 * <p>A normalized change has a {@link #kind} and is a copy of the observation that carries it: the
 * moved_to half of a paired rename, the inotify report of a change both channels reported, else the
 * only observation. Its {@link #ts} is the earliest of its observations', {@link #oldPath} is the
 * moved_from half's path of a rename, and the flags say which channels reported it. Observations
 * have no kind and both flags false.
 */
public class FileEvent implements Event {

  public static final List<String> OPS =
      List.of("create", "write", "chmod", "remove", "moved_from", "moved_to");
  public static final List<String> CHANNELS = List.of("inotify", "poll");

  public String eventId;
  public String host;
  public String path;
  public long device;
  public long inode;
  public Long generation;
  public String op;
  public Long cookie;
  public Long mtime;
  public Long size;
  public String contentHash;
  public String channel;
  public String fsType;
  public long ts;

  /** What the change did; null for an observation. */
  public ChangeKind kind;

  /** The path before a rename; null for every other event. */
  public String oldPath;

  /** True for a change both inotify and poll reported. */
  public boolean deduplicated;

  /** True for a change only the poll channel reported. */
  public boolean seenByPollOnly;

  public FileEvent() {}

  public FileEvent copy() {
    FileEvent copy = new FileEvent();
    copy.eventId = eventId;
    copy.host = host;
    copy.path = path;
    copy.device = device;
    copy.inode = inode;
    copy.generation = generation;
    copy.op = op;
    copy.cookie = cookie;
    copy.mtime = mtime;
    copy.size = size;
    copy.contentHash = contentHash;
    copy.channel = channel;
    copy.fsType = fsType;
    copy.ts = ts;
    copy.kind = kind;
    copy.oldPath = oldPath;
    copy.deduplicated = deduplicated;
    copy.seenByPollOnly = seenByPollOnly;
    return copy;
  }

  @Override
  public EventStream stream() {
    return EventStream.FILE;
  }

  @Override
  public String eventId() {
    return eventId;
  }

  @Override
  public long eventTime() {
    return ts;
  }

  /** Parent directory of {@link #path}; "/" for top-level files. */
  public String directory() {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** The generation, 0 when the agent did not report one. */
  public long generationOrZero() {
    return generation == null ? 0 : generation;
  }

  /**
   * The file this event is about: a new generation of a reused inode is a new file. Joined with
   * ':', which the numeric parts cannot contain.
   */
  public String fileId() {
    return host + ':' + device + ':' + inode + ':' + generationOrZero();
  }

  public boolean isNormalized() {
    return kind != null;
  }

  @Override
  public Object field(String name) {
    return switch (name) {
      case "event_id" -> eventId;
      case "host" -> host;
      case "path" -> path;
      case "device" -> device;
      case "inode" -> inode;
      case "generation" -> generation;
      case "op" -> op;
      case "cookie" -> cookie;
      case "mtime" -> mtime;
      case "size" -> size;
      case "content_hash" -> contentHash;
      case "channel" -> channel;
      case "fs_type" -> fsType;
      case "ts" -> ts;
      case "directory" -> directory();
      case "file_id" -> fileId();
      case "kind" -> kind == null ? null : kind.yamlName();
      case "old_path" -> oldPath;
      case "deduplicated" -> kind == null ? null : deduplicated;
      case "seen_by_poll_only" -> kind == null ? null : seenByPollOnly;
      default -> throw new IllegalArgumentException("file events have no field " + name);
    };
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FileEvent other)) {
      return false;
    }
    return device == other.device
        && inode == other.inode
        && ts == other.ts
        && Objects.equals(eventId, other.eventId)
        && Objects.equals(host, other.host)
        && Objects.equals(path, other.path)
        && Objects.equals(generation, other.generation)
        && Objects.equals(op, other.op)
        && Objects.equals(cookie, other.cookie)
        && Objects.equals(mtime, other.mtime)
        && Objects.equals(size, other.size)
        && Objects.equals(contentHash, other.contentHash)
        && Objects.equals(channel, other.channel)
        && Objects.equals(fsType, other.fsType)
        && kind == other.kind
        && Objects.equals(oldPath, other.oldPath)
        && deduplicated == other.deduplicated
        && seenByPollOnly == other.seenByPollOnly;
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, ts);
  }

  @Override
  public String toString() {
    String what =
        kind == null
            ? op + " via " + channel
            : kind.yamlName()
                + (oldPath == null ? "" : " from " + oldPath)
                + (deduplicated ? " (deduplicated)" : "")
                + (seenByPollOnly ? " (poll only)" : "");
    return "FileEvent{" + eventId + " " + fileId() + " " + path + " " + what + " @" + ts + "}";
  }
}
