package dev.freshet.delta;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row for the {@link DeltaSink}: the target table's name and one value per column of that
 * table, in the table's column order, partition columns included. Values are {@link String} for
 * STRING, {@link Long} (or Integer, Short, Byte) for LONG, {@link Double} (or Float) for DOUBLE,
 * {@link Boolean} for BOOLEAN, or null where the column is nullable.
 *
 * <p>Immutable: the values are copied in and out.
 */
public final class DeltaRow {

  private final String table;
  private final Object[] values;

  private DeltaRow(String table, Object[] values) {
    this.table = Objects.requireNonNull(table, "table");
    this.values = Objects.requireNonNull(values, "values").clone();
  }

  public static DeltaRow of(String table, Object... values) {
    return new DeltaRow(table, values);
  }

  public String table() {
    return table;
  }

  public int arity() {
    return values.length;
  }

  public Object value(int column) {
    return values[column];
  }

  public Object[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof DeltaRow that)) {
      return false;
    }
    return table.equals(that.table) && Arrays.equals(values, that.values);
  }

  @Override
  public int hashCode() {
    return 31 * table.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "DeltaRow{table=" + table + ", values=" + Arrays.toString(values) + "}";
  }
}
