package dev.freshet.events;

import java.util.List;

/**
 * One field of an event stream's schema.
 *
 * @param allowedValues for enumerated string fields the accepted values, otherwise empty
 * @param derived true for fields the platform computes from other fields (not present in JSON)
 */
public record EventField(
    String name,
    FieldType type,
    boolean required,
    List<String> allowedValues,
    boolean derived,
    String meaning) {

  static EventField required(String name, FieldType type, String meaning) {
    return new EventField(name, type, true, List.of(), false, meaning);
  }

  static EventField optional(String name, FieldType type, String meaning) {
    return new EventField(name, type, false, List.of(), false, meaning);
  }

  static EventField requiredEnum(String name, List<String> values, String meaning) {
    return new EventField(name, FieldType.STRING, true, List.copyOf(values), false, meaning);
  }

  static EventField derived(String name, FieldType type, String meaning) {
    return new EventField(name, type, false, List.of(), true, meaning);
  }
}
