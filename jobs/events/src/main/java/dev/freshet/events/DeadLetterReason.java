package dev.freshet.events;

/** Why a record could not become an event. The codes are stable: metrics and headers use them. */
public enum DeadLetterReason {
  NOT_JSON("not_json"),
  NOT_AN_OBJECT("not_an_object"),
  MISSING_FIELD("missing_field"),
  WRONG_TYPE("wrong_type"),
  UNKNOWN_VALUE("unknown_value"),
  INVALID_VALUE("invalid_value"),
  LATE_EVENT("late_event");

  private final String code;

  DeadLetterReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
