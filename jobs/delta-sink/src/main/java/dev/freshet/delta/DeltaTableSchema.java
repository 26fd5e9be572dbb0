package dev.freshet.delta;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape of one Delta table the sink writes: its name (also its directory under the sink's base
 * path), its ordered columns, and the columns it is partitioned by.
 *
 * <p>Partition columns are STRING columns of the schema (typically {@code event_date}); their
 * values go into the Delta log's partition values and the Hive-style directory, not into the
 * Parquet file. At least one column must be left for the Parquet file itself.
 */
public final class DeltaTableSchema implements Serializable {

  private static final long serialVersionUID = 1L;

  // The table name becomes a directory name, so keep it to characters every file system and URI
  // takes as they are.
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");
  // Delta without column mapping forbids " ,;{}()\n\t=" in column names; a plain identifier also
  // keeps partition directory names unambiguous.
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String tableName;
  private final List<DeltaColumn> columns;
  private final List<String> partitionColumns;

  private DeltaTableSchema(
      String tableName, List<DeltaColumn> columns, List<String> partitionColumns) {
    this.tableName = tableName;
    this.columns = columns;
    this.partitionColumns = partitionColumns;
  }

  /**
   * Validates and creates a schema.
   *
   * @throws IllegalArgumentException naming the offending table or column when a name is invalid or
   *     repeated, when a partition column is unknown or not STRING, or when no column is left for
   *     the data file
   */
  public static DeltaTableSchema of(
      String tableName, List<DeltaColumn> columns, List<String> partitionColumns) {
    Objects.requireNonNull(tableName, "tableName");
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(partitionColumns, "partitionColumns");
    if (!TABLE_NAME.matcher(tableName).matches()) {
      throw new IllegalArgumentException(
          "Table name '" + tableName + "' must match " + TABLE_NAME.pattern());
    }
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("Table '" + tableName + "' has no columns");
    }

    Map<String, DeltaColumn> columnsByLowerCaseName = new HashMap<>();
    for (DeltaColumn column : columns) {
      Objects.requireNonNull(column, () -> "a column of table '" + tableName + "'");
      if (!COLUMN_NAME.matcher(column.name()).matches()) {
        throw new IllegalArgumentException(
            "Column '"
                + column.name()
                + "' of table '"
                + tableName
                + "' must match "
                + COLUMN_NAME.pattern());
      }
      // Delta resolves column names case-insensitively, so "Id" and "id" collide.
      if (columnsByLowerCaseName.put(column.name().toLowerCase(Locale.ROOT), column) != null) {
        throw new IllegalArgumentException(
            "Table '"
                + tableName
                + "' declares column '"
                + column.name()
                + "' more than once (Delta column names are case-insensitive)");
      }
    }

    Set<String> seenPartitionColumns = new HashSet<>();
    for (String partitionColumn : partitionColumns) {
      Objects.requireNonNull(partitionColumn, () -> "a partition column of table " + tableName);
      DeltaColumn column = findExact(columns, partitionColumn);
      if (column == null) {
        throw new IllegalArgumentException(
            "Partition column '"
                + partitionColumn
                + "' of table '"
                + tableName
                + "' is not one of its columns "
                + columns.stream().map(DeltaColumn::name).toList());
      }
      if (column.type() != DeltaColumnType.STRING) {
        throw new IllegalArgumentException(
            "Partition column '"
                + partitionColumn
                + "' of table '"
                + tableName
                + "' must be STRING, not "
                + column.type());
      }
      if (!seenPartitionColumns.add(partitionColumn)) {
        throw new IllegalArgumentException(
            "Table '"
                + tableName
                + "' lists partition column '"
                + partitionColumn
                + "' more than once");
      }
    }
    if (partitionColumns.size() == columns.size()) {
      throw new IllegalArgumentException(
          "Table '"
              + tableName
              + "' is partitioned by all its columns; a Parquet data file needs at least one"
              + " non-partition column");
    }
    return new DeltaTableSchema(tableName, List.copyOf(columns), List.copyOf(partitionColumns));
  }

  public static Builder builder(String tableName) {
    return new Builder(tableName);
  }

  private static DeltaColumn findExact(List<DeltaColumn> columns, String name) {
    for (DeltaColumn column : columns) {
      if (column.name().equals(name)) {
        return column;
      }
    }
    return null;
  }

  public String tableName() {
    return tableName;
  }

  /** All columns in row order, partition columns included. */
  public List<DeltaColumn> columns() {
    return columns;
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  public boolean isPartitionColumn(String columnName) {
    return partitionColumns.contains(columnName);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof DeltaTableSchema that)) {
      return false;
    }
    return tableName.equals(that.tableName)
        && columns.equals(that.columns)
        && partitionColumns.equals(that.partitionColumns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tableName, columns, partitionColumns);
  }

  @Override
  public String toString() {
    return "DeltaTableSchema{table="
        + tableName
        + ", columns="
        + columns
        + ", partitionColumns="
        + partitionColumns
        + "}";
  }

  /** Collects columns in order; {@link #build()} validates like {@link #of}. */
  public static final class Builder {

    private final String tableName;
    private final List<DeltaColumn> columns = new ArrayList<>();
    private final List<String> partitionColumns = new ArrayList<>();

    private Builder(String tableName) {
      this.tableName = tableName;
    }

    public Builder requiredColumn(String name, DeltaColumnType type) {
      columns.add(DeltaColumn.required(name, type));
      return this;
    }

    public Builder nullableColumn(String name, DeltaColumnType type) {
      columns.add(DeltaColumn.nullable(name, type));
      return this;
    }

    public Builder partitionedBy(String... columnNames) {
      partitionColumns.addAll(List.of(columnNames));
      return this;
    }

    public DeltaTableSchema build() {
      return of(tableName, columns, partitionColumns);
    }
  }
}
