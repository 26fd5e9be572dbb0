package dev.freshet.events;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A listener's action in the music service. A Flink POJO: public fields, no-arg constructor. */
public class BehaviourEvent implements Event {

  public static final List<String> ACTIONS = List.of("play", "skip", "like", "complete", "search");

  public String eventId;
  public String userId;
  public String songId;
  public String artistId;
  public String action;
  public Long playedMs;
  public Long songMs;
  public String[] tags;
  public String sessionId;
  public String device;
  public long ts;

  public BehaviourEvent() {}

  @Override
  public EventStream stream() {
    return EventStream.BEHAVIOUR;
  }

  @Override
  public String eventId() {
    return eventId;
  }

  @Override
  public long eventTime() {
    return ts;
  }

  @Override
  public Object field(String name) {
    return switch (name) {
      case "event_id" -> eventId;
      case "user_id" -> userId;
      case "song_id" -> songId;
      case "artist_id" -> artistId;
      case "action" -> action;
      case "played_ms" -> playedMs;
      case "song_ms" -> songMs;
      case "tags" -> tags == null ? null : List.of(tags);
      case "session_id" -> sessionId;
      case "device" -> device;
      case "ts" -> ts;
      default -> throw new IllegalArgumentException("behaviour events have no field " + name);
    };
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BehaviourEvent other)) {
      return false;
    }
    return ts == other.ts
        && Objects.equals(eventId, other.eventId)
        && Objects.equals(userId, other.userId)
        && Objects.equals(songId, other.songId)
        && Objects.equals(artistId, other.artistId)
        && Objects.equals(action, other.action)
        && Objects.equals(playedMs, other.playedMs)
        && Objects.equals(songMs, other.songMs)
        && Arrays.equals(tags, other.tags)
        && Objects.equals(sessionId, other.sessionId)
        && Objects.equals(device, other.device);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, ts);
  }

  @Override
  public String toString() {
    return "BehaviourEvent{"
        + eventId
        + " "
        + userId
        + " "
        + action
        + " "
        + songId
        + " @"
        + ts
        + "}";
  }
}
