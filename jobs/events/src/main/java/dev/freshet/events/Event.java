package dev.freshet.events;

/** What the platform needs of any decoded event: identity, event time and fields by name. */
public interface Event {

  EventStream stream();

  String eventId();

  /** Event time in epoch milliseconds. */
  long eventTime();

  /**
   * The value of a schema field by its JSON name: a {@code String}, {@code Long} or {@code
   * List<String>}, or null when the event does not carry it.
   */
  Object field(String name);
}
