package dev.freshet.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaTableSchemaTest {

  @Test
  void keepsColumnsInDeclaredOrderWithTheirPartitionColumns() {
    DeltaTableSchema schema =
        DeltaTableSchema.builder("clicks")
            .requiredColumn("user_id", DeltaColumnType.STRING)
            .nullableColumn("amount", DeltaColumnType.DOUBLE)
            .requiredColumn("event_date", DeltaColumnType.STRING)
            .partitionedBy("event_date")
            .build();

    assertThat(schema.tableName()).isEqualTo("clicks");
    assertThat(schema.columns())
        .containsExactly(
            DeltaColumn.required("user_id", DeltaColumnType.STRING),
            DeltaColumn.nullable("amount", DeltaColumnType.DOUBLE),
            DeltaColumn.required("event_date", DeltaColumnType.STRING));
    assertThat(schema.partitionColumns()).containsExactly("event_date");
    assertThat(schema.isPartitionColumn("event_date")).isTrue();
    assertThat(schema.isPartitionColumn("user_id")).isFalse();
  }

  @Test
  void unknownPartitionColumnIsRejectedNamingIt() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("clicks")
                    .requiredColumn("user_id", DeltaColumnType.STRING)
                    .partitionedBy("event_date")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Partition column 'event_date'")
        .hasMessageContaining("'clicks'")
        .hasMessageContaining("[user_id]");
  }

  @Test
  void duplicateColumnNameIsRejectedNamingTheColumn() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.of(
                    "clicks",
                    List.of(
                        DeltaColumn.required("user_id", DeltaColumnType.STRING),
                        DeltaColumn.required("User_Id", DeltaColumnType.LONG)),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'User_Id' more than once")
        .hasMessageContaining("case-insensitive");
  }

  @Test
  void partitionColumnMustBeString() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("clicks")
                    .requiredColumn("day", DeltaColumnType.LONG)
                    .requiredColumn("n", DeltaColumnType.LONG)
                    .partitionedBy("day")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Partition column 'day'")
        .hasMessageContaining("must be STRING, not LONG");
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("top_k")
                    .requiredColumn("items", DeltaColumnType.STRING_LIST)
                    .requiredColumn("n", DeltaColumnType.LONG)
                    .partitionedBy("items")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Partition column 'items'")
        .hasMessageContaining("must be STRING, not STRING_LIST");
  }

  @Test
  void partitionColumnListedTwiceIsRejected() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("clicks")
                    .requiredColumn("event_date", DeltaColumnType.STRING)
                    .requiredColumn("n", DeltaColumnType.LONG)
                    .partitionedBy("event_date", "event_date")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition column 'event_date' more than once");
  }

  @Test
  void tablePartitionedByEveryColumnIsRejectedBecauseParquetNeedsAColumn() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("days")
                    .requiredColumn("event_date", DeltaColumnType.STRING)
                    .partitionedBy("event_date")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'days' is partitioned by all its columns");
  }

  @Test
  void namesThatWouldBreakPathsOrDeltaAreRejected() {
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("../clicks")
                    .requiredColumn("n", DeltaColumnType.LONG)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Table name '../clicks'");
    assertThatThrownBy(
            () ->
                DeltaTableSchema.builder("clicks")
                    .requiredColumn("user id", DeltaColumnType.STRING)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Column 'user id' of table 'clicks'");
    assertThatThrownBy(() -> DeltaTableSchema.builder("clicks").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Table 'clicks' has no columns");
  }

  @Test
  void survivesJavaSerializationBecauseFlinkShipsItToTasks() throws Exception {
    DeltaTableSchema schema =
        DeltaTableSchema.builder("clicks")
            .requiredColumn("user_id", DeltaColumnType.STRING)
            .requiredColumn("event_date", DeltaColumnType.STRING)
            .partitionedBy("event_date")
            .build();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(schema);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(schema);
    }
  }
}
