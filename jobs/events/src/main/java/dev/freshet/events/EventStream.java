package dev.freshet.events;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The two input streams, their default Kafka topics and their schemas. The schemas are the
 * vocabulary contracts may reference; the decoder enforces them.
 */
public enum EventStream {
  BEHAVIOUR(
      "behaviour",
      "behaviour-events",
      List.of(
          EventField.required("event_id", FieldType.STRING, "unique id of the event"),
          EventField.required("user_id", FieldType.STRING, "listener"),
          EventField.optional("song_id", FieldType.STRING, "song acted on (absent for search)"),
          EventField.optional("artist_id", FieldType.STRING, "artist of the song"),
          EventField.requiredEnum(
              "action", BehaviourEvent.ACTIONS, "play, skip, like, complete or search"),
          EventField.optional("played_ms", FieldType.LONG, "milliseconds of the song played"),
          EventField.optional("song_ms", FieldType.LONG, "length of the song in milliseconds"),
          EventField.optional("tags", FieldType.STRING_LIST, "genre and mood tags of the song"),
          EventField.optional("session_id", FieldType.STRING, "listening session"),
          EventField.optional("device", FieldType.STRING, "phone, desktop, web, speaker, car"),
          EventField.required("ts", FieldType.LONG, "event time, epoch milliseconds UTC"))),
  FILE(
      "file",
      "file-events",
      List.of(
          EventField.required("event_id", FieldType.STRING, "unique id of the event"),
          EventField.required("host", FieldType.STRING, "host whose agent saw the change"),
          EventField.required("path", FieldType.STRING, "absolute path of the file"),
          EventField.required("device", FieldType.LONG, "st_dev of the filesystem"),
          EventField.required("inode", FieldType.LONG, "st_ino of the file"),
          EventField.optional(
              "generation", FieldType.LONG, "inode generation; a new one means a new file"),
          EventField.requiredEnum(
              "op", FileEvent.OPS, "create, write, chmod, remove, moved_from or moved_to"),
          EventField.optional("cookie", FieldType.LONG, "inotify rename cookie pairing moves"),
          EventField.optional("mtime", FieldType.LONG, "modification time, epoch milliseconds"),
          EventField.optional("size", FieldType.LONG, "file size in bytes after the change"),
          EventField.optional("content_hash", FieldType.STRING, "hash of the content, if known"),
          EventField.requiredEnum("channel", FileEvent.CHANNELS, "inotify or poll"),
          EventField.optional("fs_type", FieldType.STRING, "filesystem type, e.g. ext4, nfs"),
          EventField.required("ts", FieldType.LONG, "event time, epoch milliseconds UTC"),
          EventField.derived("directory", FieldType.STRING, "parent directory of path"),
          EventField.derived(
              "file_id",
              FieldType.STRING,
              "the file: host, device, inode and generation joined by ':' (generation 0 when"
                  + " absent)"),
          EventField.derived(
              "kind",
              FieldType.STRING,
              "what the change did: create, content_change, touch, chmod, rename or remove"),
          EventField.derived("old_path", FieldType.STRING, "path before a rename"),
          EventField.derived(
              "deduplicated", FieldType.BOOLEAN, "both inotify and poll reported the change"),
          EventField.derived(
              "seen_by_poll_only",
              FieldType.BOOLEAN,
              "only the poll channel reported the change")));

  private final String sourceName;
  private final String defaultTopic;
  private final Map<String, EventField> fields;

  EventStream(String sourceName, String defaultTopic, List<EventField> fields) {
    this.sourceName = sourceName;
    this.defaultTopic = defaultTopic;
    this.fields = new LinkedHashMap<>();
    fields.forEach(field -> this.fields.put(field.name(), field));
  }

  /** The name contracts use in {@code source:}. */
  public String sourceName() {
    return sourceName;
  }

  public String defaultTopic() {
    return defaultTopic;
  }

  public List<EventField> fields() {
    return List.copyOf(fields.values());
  }

  public Optional<EventField> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  public static Optional<EventStream> bySourceName(String name) {
    return Arrays.stream(values()).filter(s -> s.sourceName.equals(name)).findFirst();
  }
}
