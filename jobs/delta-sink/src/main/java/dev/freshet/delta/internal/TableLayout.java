package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import io.delta.standalone.types.ArrayType;
import io.delta.standalone.types.BooleanType;
import io.delta.standalone.types.DataType;
import io.delta.standalone.types.DoubleType;
import io.delta.standalone.types.LongType;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * A table schema split the way the files need it: partition columns (Delta log and directory names)
 * versus data columns (the Parquet file), plus the Delta and Parquet schemas and the checks every
 * incoming row must pass.
 */
public final class TableLayout {

  // The root name delta-standalone's ParquetSchemaConverter (and Spark) give the message type.
  static final String PARQUET_MESSAGE_NAME = "spark_schema";

  // Field names of the three-level LIST layout, fixed by Parquet's LogicalTypes.md and used by
  // parquet's Types.list builder.
  static final String LIST_REPEATED_GROUP = "list";
  static final String LIST_ELEMENT = "element";

  private final DeltaTableSchema schema;
  private final List<DeltaColumn> dataColumns = new ArrayList<>();
  private final int[] dataColumnIndices;
  private final int[] partitionColumnIndices;

  public TableLayout(DeltaTableSchema schema) {
    this.schema = schema;
    List<DeltaColumn> columns = schema.columns();
    List<Integer> dataIndices = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (!schema.isPartitionColumn(columns.get(i).name())) {
        dataColumns.add(columns.get(i));
        dataIndices.add(i);
      }
    }
    this.dataColumnIndices = dataIndices.stream().mapToInt(Integer::intValue).toArray();
    this.partitionColumnIndices = new int[schema.partitionColumns().size()];
    for (int p = 0; p < partitionColumnIndices.length; p++) {
      partitionColumnIndices[p] = indexOf(columns, schema.partitionColumns().get(p));
    }
  }

  private static int indexOf(List<DeltaColumn> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("Validated schema lost column " + name);
  }

  public DeltaTableSchema schema() {
    return schema;
  }

  public String tableName() {
    return schema.tableName();
  }

  public List<DeltaColumn> dataColumns() {
    return dataColumns;
  }

  /** Row positions of {@link #dataColumns()}, in the same order. */
  public int[] dataColumnIndices() {
    return dataColumnIndices;
  }

  /** The row's partition values in partition column order; null entries are null partitions. */
  public List<String> partitionValuesOf(DeltaRow row) {
    List<String> values = new ArrayList<>(partitionColumnIndices.length);
    for (int index : partitionColumnIndices) {
      values.add((String) row.value(index));
    }
    return values;
  }

  /** The Delta schema of the whole table, partition columns included. */
  public StructType deltaSchema() {
    List<DeltaColumn> columns = schema.columns();
    StructField[] fields = new StructField[columns.size()];
    for (int i = 0; i < fields.length; i++) {
      DeltaColumn column = columns.get(i);
      fields[i] = new StructField(column.name(), deltaType(column), column.nullable());
    }
    return new StructType(fields);
  }

  private static DataType deltaType(DeltaColumn column) {
    return switch (column.type()) {
      case STRING -> new StringType();
      case LONG -> new LongType();
      case DOUBLE -> new DoubleType();
      case BOOLEAN -> new BooleanType();
      case STRING_LIST -> new ArrayType(new StringType(), false);
    };
  }

  /**
   * The Parquet schema of the data files: the data columns only, mapped the way delta-standalone's
   * {@code ParquetSchemaConverter.deltaToParquet} maps them. A STRING_LIST is the three-level LIST
   * of Parquet's LogicalTypes.md ({@code group (LIST) { repeated group list { required binary
   * element (STRING); } }}), the layout current readers expect rather than the legacy two-level
   * ones.
   */
  public MessageType parquetSchema() {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (DeltaColumn column : dataColumns) {
      Repetition repetition = column.nullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
      switch (column.type()) {
        case STRING ->
            message
                .primitive(PrimitiveTypeName.BINARY, repetition)
                .as(LogicalTypeAnnotation.stringType())
                .named(column.name());
        case LONG -> message.primitive(PrimitiveTypeName.INT64, repetition).named(column.name());
        case DOUBLE -> message.primitive(PrimitiveTypeName.DOUBLE, repetition).named(column.name());
        case BOOLEAN ->
            message.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(column.name());
        case STRING_LIST ->
            message
                .list(repetition)
                .requiredElement(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named(column.name());
      }
    }
    return message.named(PARQUET_MESSAGE_NAME);
  }

  /**
   * Rejects a row that does not fit the table: wrong arity, a null in a required column, a value of
   * the wrong Java type, or an empty partition value (the Delta protocol reads an empty partition
   * string back as null, so it could not round-trip).
   */
  public void validate(DeltaRow row) {
    List<DeltaColumn> columns = schema.columns();
    if (row.arity() != columns.size()) {
      throw new IllegalArgumentException(
          "Row for table '"
              + tableName()
              + "' has "
              + row.arity()
              + " values but the table has "
              + columns.size()
              + " columns "
              + columns.stream().map(DeltaColumn::name).toList());
    }
    for (int i = 0; i < columns.size(); i++) {
      DeltaColumn column = columns.get(i);
      Object value = row.value(i);
      if (value == null) {
        if (!column.nullable()) {
          throw rejected(column, "null in a required column");
        }
      } else if (!accepts(column, value)) {
        throw rejected(column, "a " + describe(value) + " where " + column.type() + " is expected");
      }
    }
    for (int index : partitionColumnIndices) {
      if ("".equals(row.value(index))) {
        throw rejected(
            columns.get(index),
            "an empty partition value (Delta reads an empty partition value back as null)");
      }
    }
  }

  private static boolean accepts(DeltaColumn column, Object value) {
    return switch (column.type()) {
      case STRING -> value instanceof String;
      case LONG ->
          value instanceof Long
              || value instanceof Integer
              || value instanceof Short
              || value instanceof Byte;
      case DOUBLE -> value instanceof Double || value instanceof Float;
      case BOOLEAN -> value instanceof Boolean;
      case STRING_LIST -> value instanceof List<?> list && firstNonString(list) == null;
    };
  }

  /** Null when every element is a String; DeltaRow has already refused null elements. */
  private static Object firstNonString(List<?> list) {
    for (Object element : list) {
      if (!(element instanceof String)) {
        return element;
      }
    }
    return null;
  }

  // The class of a list says nothing about its elements, so name the offending element's instead.
  private static String describe(Object value) {
    if (value instanceof List<?> list) {
      Object element = firstNonString(list);
      return element == null
          ? "list of strings"
          : "list with a " + element.getClass().getName() + " element";
    }
    return value.getClass().getName();
  }

  private IllegalArgumentException rejected(DeltaColumn column, String problem) {
    return new IllegalArgumentException(
        "Column '" + column.name() + "' of table '" + tableName() + "' got " + problem);
  }
}
