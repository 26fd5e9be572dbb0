package dev.freshet.delta;

/**
 * The column types the sink writes. STRING is Delta {@code string} (Parquet binary annotated UTF8),
 * LONG is {@code long} (int64), DOUBLE is {@code double}, BOOLEAN is {@code boolean}, and
 * STRING_LIST is {@code array<string>} without null elements (the standard three-level Parquet LIST
 * of required UTF8 binaries, as Parquet's LogicalTypes.md "Lists" specifies). STRING_LIST keeps its
 * elements in order and cannot be a partition column.
 *
 * <p>Event times belong in LONG columns as epoch milliseconds: delta-standalone's own reader only
 * decodes INT96 timestamps, so a timestamp column would not read back through it.
 */
public enum DeltaColumnType {
  STRING,
  LONG,
  DOUBLE,
  BOOLEAN,
  STRING_LIST
}
