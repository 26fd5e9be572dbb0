package dev.freshet.delta;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One row for the {@link DeltaSink}: the target table's name and one value per column of that
 * table, in the table's column order, partition columns included. Values are {@link String} for
 * STRING, {@link Long} (or Integer, Short, Byte) for LONG, {@link Double} (or Float) for DOUBLE,
 * {@link Boolean} for BOOLEAN, a {@link List} of {@link String}s without null elements for
 * STRING_LIST (an empty list is a value, distinct from null), or null where the column is nullable.
 *
 * <p>Immutable: the values are copied in and out, and list values are copied into unmodifiable
 * lists.
 */
public final class DeltaRow {

  private final String table;
  private final Object[] values;

  private DeltaRow(String table, Object[] values) {
    this.table = Objects.requireNonNull(table, "table");
    this.values = Objects.requireNonNull(values, "values").clone();
    for (int i = 0; i < this.values.length; i++) {
      if (this.values[i] instanceof List<?> list) {
        this.values[i] = copyOfList(table, i, list);
      }
    }
  }

  // List.copyOf rather than an unmodifiable view: Flink's Kryo serializer copies and restores the
  // java.util immutable lists but fails on Collections.unmodifiableList. The null check comes
  // first because List.copyOf would throw a bare NullPointerException (and List.of lists throw
  // on contains(null)).
  private static List<?> copyOfList(String table, int position, List<?> list) {
    for (Object element : list) {
      if (element == null) {
        throw new IllegalArgumentException(
            "Value at position "
                + position
                + " of a row for table '"
                + table
                + "' is a list with a null element; a STRING_LIST value cannot hold nulls");
      }
    }
    return List.copyOf(list);
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
