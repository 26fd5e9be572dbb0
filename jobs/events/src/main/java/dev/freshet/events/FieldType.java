package dev.freshet.events;

/** JSON types an event field may have. */
public enum FieldType {
  STRING,
  LONG,
  BOOLEAN,
  STRING_LIST;

  public boolean isNumeric() {
    return this == LONG;
  }
}
