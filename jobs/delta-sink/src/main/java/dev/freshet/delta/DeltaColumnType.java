package dev.freshet.delta;

/**
 * The column types the sink writes. Each maps to one Delta primitive type and one Parquet physical
 * type: STRING is Delta {@code string} (Parquet binary annotated UTF8), LONG is {@code long}
 * (int64), DOUBLE is {@code double}, BOOLEAN is {@code boolean}.
 *
 * <p>Event times belong in LONG columns as epoch milliseconds: delta-standalone's own reader only
 * decodes INT96 timestamps, so a timestamp column would not read back through it.
 */
public enum DeltaColumnType {
  STRING,
  LONG,
  DOUBLE,
  BOOLEAN
}
