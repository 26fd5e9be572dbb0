package dev.freshet.job;

import dev.freshet.events.BehaviourEvent;
import dev.freshet.events.Event;
import dev.freshet.events.FileEvent;

/**
 * What the Kafka source emits: exactly one of a behaviour event, a file event or a dead letter.
 * Decoding happens in the source so watermarks can be generated per partition from event time. A
 * Flink POJO.
 */
public class DecodedRecord {

  public BehaviourEvent behaviour;
  public FileEvent file;
  public DeadLetter deadLetter;

  public DecodedRecord() {}

  static DecodedRecord of(Event event) {
    DecodedRecord record = new DecodedRecord();
    if (event instanceof BehaviourEvent behaviourEvent) {
      record.behaviour = behaviourEvent;
    } else {
      record.file = (FileEvent) event;
    }
    return record;
  }

  static DecodedRecord of(DeadLetter deadLetter) {
    DecodedRecord record = new DecodedRecord();
    record.deadLetter = deadLetter;
    return record;
  }

  /** The decoded event, or null for a dead letter. */
  Event event() {
    return behaviour != null ? behaviour : file;
  }

  /**
   * Event time for watermarks; dead letters have none and report Long.MIN_VALUE so they never move
   * the watermark.
   */
  long eventTime() {
    Event event = event();
    return event == null ? Long.MIN_VALUE : event.eventTime();
  }
}
