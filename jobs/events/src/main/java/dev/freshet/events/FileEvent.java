package dev.freshet.events;

import java.util.List;
import java.util.Objects;

/**
 * A change a host agent saw through inotify or polling. A Flink POJO: public fields, no-arg
 * constructor.
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

  public FileEvent() {}

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
        && Objects.equals(fsType, other.fsType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, ts);
  }

  @Override
  public String toString() {
    return "FileEvent{"
        + eventId
        + " "
        + host
        + ":"
        + path
        + " "
        + op
        + " via "
        + channel
        + " @"
        + ts
        + "}";
  }
}
