package dev.freshet.events;

/** The outcome of decoding one record: an event, or the reason it is a dead letter. */
public sealed interface DecodeResult {

  record Decoded(Event event) implements DecodeResult {}

  /**
   * @param detail a human-readable explanation naming the field, e.g. "ts: expected a long"
   */
  record Failed(DeadLetterReason reason, String detail) implements DecodeResult {}
}
