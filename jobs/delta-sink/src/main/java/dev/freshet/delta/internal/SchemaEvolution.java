package dev.freshet.delta.internal;

import io.delta.standalone.actions.Metadata;
import io.delta.standalone.types.DataType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * How an existing table's schema must change for the sink to append to it, with the semantics of
 * Delta's own {@code mergeSchema} for appends to a table without column mapping: a feature contract
 * that gained features or dropped deprecated ones is a compatible change, and its job keeps writing
 * the same table after it restores.
 *
 * <p>The evolved schema is the table's columns in the table's order, followed by the sink's new
 * columns in the sink's order. The Delta protocol allows exactly this without rewriting any data
 * file. PROTOCOL.md, "Requirements for Writers", "Consistency Between Table Metadata and Data
 * Files": "Any column that exists in a data file present in the table MUST also be present in the
 * metadata of the table" (so a new column enters the schema no later than the first file that has
 * it) and "Columns present in the schema of the table MAY be missing from data files. Readers
 * SHOULD fill these missing columns in with {@code null}" (so old files read null in an added
 * column, and new files read null in a column the sink no longer writes). Columns are matched by
 * name: with column mapping off, readers "must read the parquet files by using the display names
 * (the {@code name} field of the column definition) of the columns in the schema" ("Reader
 * Requirements for Column Mapping"), and "All column names must be unique regardless of casing"
 * ("Schema Serialization Format"), which is why a column whose name changed only in case is a
 * conflict, not a new column.
 *
 * <p>Both directions need nullable columns ("Struct Field": {@code nullable} is the "Boolean
 * denoting whether this field can be null"), since rows that lack a value read null: an added
 * column is null in every existing row, a column the sink stopped writing is null in every new row.
 * Any other difference needs a new table: a type change leaves existing files holding values of
 * another type than the schema says, a nullability change alters what the table promises about rows
 * it already holds or would let null reach a required column, and other partition columns would
 * change the meaning of every existing file's partition values.
 *
 * <p>Quotes are from https://github.com/delta-io/delta/blob/master/PROTOCOL.md.
 *
 * @param schema the schema the table must have; equal to the table's when nothing is added
 * @param addedColumns the sink's columns the table does not have yet, in the sink's order
 * @param unwrittenColumns the table's columns the sink no longer writes
 */
record SchemaEvolution(
    StructType schema, List<String> addedColumns, List<String> unwrittenColumns) {

  /**
   * Compares an existing table's metadata with the table the sink writes.
   *
   * @param tableRoot where the table is, for the error message
   * @throws IncompatibleSchemaException naming every incompatible difference
   */
  static SchemaEvolution between(Metadata table, TableLayout sink, Path tableRoot) {
    StructType sinkSchema = sink.deltaSchema();
    Map<String, StructField> unmatchedSinkFields = new LinkedHashMap<>();
    for (StructField field : sinkSchema.getFields()) {
      unmatchedSinkFields.put(caseInsensitive(field.getName()), field);
    }
    List<String> problems = new ArrayList<>();
    List<String> partitionColumns = sink.schema().partitionColumns();
    if (!table.getPartitionColumns().equals(partitionColumns)) {
      problems.add(
          "the table is partitioned by "
              + table.getPartitionColumns()
              + " but the sink partitions by "
              + partitionColumns);
    }

    StructField[] tableFields = table.getSchema().getFields();
    List<String> unwritten = new ArrayList<>();
    for (StructField tableField : tableFields) {
      StructField sinkField = unmatchedSinkFields.remove(caseInsensitive(tableField.getName()));
      if (sinkField == null) {
        if (!tableField.isNullable()) {
          problems.add(
              "column '"
                  + tableField.getName()
                  + "' is required in the table but the sink no longer writes it");
        }
        unwritten.add(tableField.getName());
      } else {
        compare(tableField, sinkField, problems);
      }
    }

    List<StructField> evolvedFields = new ArrayList<>(Arrays.asList(tableFields));
    List<String> added = new ArrayList<>();
    for (StructField sinkField : unmatchedSinkFields.values()) {
      if (!sinkField.isNullable()) {
        problems.add(
            "new column '"
                + sinkField.getName()
                + "' is required, but the table's existing rows have no value for it: a column"
                + " added to a table must be nullable");
      }
      evolvedFields.add(sinkField);
      added.add(sinkField.getName());
    }

    if (!problems.isEmpty()) {
      throw new IncompatibleSchemaException(
          "Delta table '"
              + sink.tableName()
              + "' at "
              + tableRoot
              + " cannot take the sink's schema: "
              + String.join("; ", problems)
              + ". Only adding nullable columns and no longer writing nullable columns evolve a"
              + " table in place; this change needs a new contract version (a new table).");
    }
    StructType evolved =
        added.isEmpty()
            ? table.getSchema()
            : new StructType(evolvedFields.toArray(StructField[]::new));
    return new SchemaEvolution(evolved, List.copyOf(added), List.copyOf(unwritten));
  }

  private static void compare(
      StructField tableField, StructField sinkField, List<String> problems) {
    String name = tableField.getName();
    if (!name.equals(sinkField.getName())) {
      problems.add(
          "the sink's column '"
              + sinkField.getName()
              + "' differs only in case from the table's column '"
              + name
              + "' (Delta column names are case-insensitive)");
      return;
    }
    DataType tableType = tableField.getDataType();
    DataType sinkType = sinkField.getDataType();
    if (!tableType.equals(sinkType)) {
      // Types that print alike (arrays differing in element nullability) are told apart by JSON.
      boolean sameText = tableType.getSimpleString().equals(sinkType.getSimpleString());
      problems.add(
          "column '"
              + name
              + "' is "
              + (sameText ? tableType.toJson() : tableType.getSimpleString())
              + " in the table but "
              + (sameText ? sinkType.toJson() : sinkType.getSimpleString())
              + " in the sink");
    }
    if (tableField.isNullable() != sinkField.isNullable()) {
      problems.add(
          "column '"
              + name
              + "' is "
              + nullability(tableField)
              + " in the table but "
              + nullability(sinkField)
              + " in the sink");
    }
  }

  private static String nullability(StructField field) {
    return field.isNullable() ? "nullable" : "required";
  }

  private static String caseInsensitive(String columnName) {
    return columnName.toLowerCase(Locale.ROOT);
  }

  /** Whether the table's metadata must change before the sink's files can be added. */
  boolean changesSchema() {
    return !addedColumns.isEmpty();
  }

  /** The table's schema cannot evolve into the sink's: no retry changes that. */
  static final class IncompatibleSchemaException extends IllegalStateException {
    IncompatibleSchemaException(String message) {
      super(message);
    }
  }
}
