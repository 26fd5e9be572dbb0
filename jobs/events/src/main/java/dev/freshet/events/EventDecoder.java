package dev.freshet.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the JSON of one stream against its {@link EventStream} schema. Never throws on bad input:
 * every problem becomes a {@link DecodeResult.Failed} with a reason and the field at fault. Unknown
 * fields are ignored so producers can add fields before consumers know them.
 *
 * <p>Strings and lists are bounded: identifiers become state keys and tags become sketch entries,
 * so one oversized value would otherwise live in the job's state for a whole TTL.
 */
public final class EventDecoder {

  /** Longest string field, in chars: Linux's PATH_MAX, more than any identifier or path needs. */
  public static final int MAX_STRING_CHARS = 4096;

  /** Most elements of a list field such as a song's tags. */
  public static final int MAX_LIST_ELEMENTS = 256;

  private final EventStream stream;
  private final ObjectMapper mapper;

  public EventDecoder(EventStream stream) {
    this.stream = stream;
    this.mapper = new ObjectMapper();
    this.mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  public EventStream stream() {
    return stream;
  }

  public DecodeResult decode(byte[] json) {
    if (json == null || json.length == 0) {
      return failed(DeadLetterReason.NOT_JSON, "empty record");
    }
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      return failed(DeadLetterReason.NOT_JSON, firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      return failed(DeadLetterReason.NOT_AN_OBJECT, "expected a JSON object");
    }
    for (EventField field : stream.fields()) {
      if (field.derived()) {
        continue;
      }
      DecodeResult.Failed problem = check(field, root.get(field.name()));
      if (problem != null) {
        return problem;
      }
    }
    return new DecodeResult.Decoded(stream == EventStream.BEHAVIOUR ? behaviour(root) : file(root));
  }

  private static DecodeResult.Failed check(EventField field, JsonNode value) {
    if (value == null || value.isNull()) {
      return field.required()
          ? failed(DeadLetterReason.MISSING_FIELD, field.name() + ": required")
          : null;
    }
    switch (field.type()) {
      case LONG -> {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          return failed(DeadLetterReason.WRONG_TYPE, field.name() + ": expected an integer");
        }
        if (field.name().equals("ts") && value.longValue() < 0) {
          return failed(DeadLetterReason.INVALID_VALUE, "ts: negative event time");
        }
      }
      case STRING -> {
        if (!value.isTextual()) {
          return failed(DeadLetterReason.WRONG_TYPE, field.name() + ": expected a string");
        }
        if (value.textValue().length() > MAX_STRING_CHARS) {
          return failed(
              DeadLetterReason.INVALID_VALUE,
              field.name()
                  + ": "
                  + value.textValue().length()
                  + " characters, more than "
                  + MAX_STRING_CHARS);
        }
        if (field.required() && value.textValue().isEmpty()) {
          return failed(DeadLetterReason.INVALID_VALUE, field.name() + ": empty");
        }
        if (!field.allowedValues().isEmpty()
            && !field.allowedValues().contains(value.textValue())) {
          return failed(
              DeadLetterReason.UNKNOWN_VALUE,
              field.name()
                  + ": '"
                  + abbreviate(value.textValue())
                  + "' is not one of "
                  + field.allowedValues());
        }
      }
      case STRING_LIST -> {
        if (!value.isArray()) {
          return failed(DeadLetterReason.WRONG_TYPE, field.name() + ": expected an array");
        }
        if (value.size() > MAX_LIST_ELEMENTS) {
          return failed(
              DeadLetterReason.INVALID_VALUE,
              field.name() + ": " + value.size() + " elements, more than " + MAX_LIST_ELEMENTS);
        }
        for (JsonNode element : value) {
          if (!element.isTextual()) {
            return failed(
                DeadLetterReason.WRONG_TYPE, field.name() + ": expected an array of strings");
          }
          if (element.textValue().length() > MAX_STRING_CHARS) {
            return failed(
                DeadLetterReason.INVALID_VALUE,
                field.name() + ": an element of more than " + MAX_STRING_CHARS + " characters");
          }
        }
      }
    }
    return null;
  }

  private static BehaviourEvent behaviour(JsonNode root) {
    BehaviourEvent event = new BehaviourEvent();
    event.eventId = text(root, "event_id");
    event.userId = text(root, "user_id");
    event.songId = text(root, "song_id");
    event.artistId = text(root, "artist_id");
    event.action = text(root, "action");
    event.playedMs = number(root, "played_ms");
    event.songMs = number(root, "song_ms");
    event.tags = stringList(root, "tags");
    event.sessionId = text(root, "session_id");
    event.device = text(root, "device");
    event.ts = root.get("ts").longValue();
    return event;
  }

  private static FileEvent file(JsonNode root) {
    FileEvent event = new FileEvent();
    event.eventId = text(root, "event_id");
    event.host = text(root, "host");
    event.path = text(root, "path");
    event.device = root.get("device").longValue();
    event.inode = root.get("inode").longValue();
    event.generation = number(root, "generation");
    event.op = text(root, "op");
    event.cookie = number(root, "cookie");
    event.mtime = number(root, "mtime");
    event.size = number(root, "size");
    event.contentHash = text(root, "content_hash");
    event.channel = text(root, "channel");
    event.fsType = text(root, "fs_type");
    event.ts = root.get("ts").longValue();
    return event;
  }

  private static String text(JsonNode root, String name) {
    JsonNode value = root.get(name);
    return value == null || value.isNull() ? null : value.textValue();
  }

  private static Long number(JsonNode root, String name) {
    JsonNode value = root.get(name);
    return value == null || value.isNull() ? null : value.longValue();
  }

  private static String[] stringList(JsonNode root, String name) {
    JsonNode value = root.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    List<String> values = new ArrayList<>();
    value.forEach(element -> values.add(element.textValue()));
    return values.toArray(String[]::new);
  }

  private static DecodeResult.Failed failed(DeadLetterReason reason, String detail) {
    return new DecodeResult.Failed(reason, detail);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unparseable JSON";
    }
    int newline = message.indexOf('\n');
    return abbreviate(newline < 0 ? message : message.substring(0, newline));
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }
}
