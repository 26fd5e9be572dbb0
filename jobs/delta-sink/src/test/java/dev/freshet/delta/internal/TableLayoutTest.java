package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.types.ArrayType;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import io.delta.standalone.util.ParquetSchemaConverter;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

class TableLayoutTest {

  private final TableLayout layout = new TableLayout(DeltaTestTables.eventsTable("events"));

  @Test
  void parquetSchemaIsWhatDeltaStandaloneDerivesForTheDataColumns() {
    StructField[] dataFields =
        Arrays.stream(layout.deltaSchema().getFields())
            .filter(field -> !field.getName().equals("event_date"))
            .toArray(StructField[]::new);

    assertThat(layout.parquetSchema())
        .isEqualTo(ParquetSchemaConverter.deltaToParquet(new StructType(dataFields)));
  }

  @Test
  void stringListIsADeltaArrayWithoutNullsAndTheThreeLevelParquetList() {
    assertThat(layout.deltaSchema().get("top_items").getDataType())
        .isEqualTo(new ArrayType(new StringType(), false));
    assertThat(layout.parquetSchema().getType("top_items"))
        .isEqualTo(
            MessageTypeParser.parseMessageType(
                    "message m { optional group top_items (LIST) {"
                        + " repeated group list { required binary element (STRING); } } }")
                .getType("top_items"));
  }

  @Test
  void partitionValuesComeFromThePartitionColumns() {
    DeltaRow row = DeltaRow.of("events", 1L, "u", 1.0, true, List.of("a"), "2026-11-23");

    assertThat(layout.partitionValuesOf(row)).containsExactly("2026-11-23");
  }

  @Test
  void rowWithWrongArityIsRejected() {
    assertThatThrownBy(() -> layout.validate(DeltaRow.of("events", 1L, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 2 values but the table has 6 columns");
  }

  @Test
  void nullInRequiredColumnIsRejectedNamingIt() {
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", null, "u", 1.0, true, null, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'id' of table 'events' got null in a required column");
  }

  @Test
  void valueOfWrongTypeIsRejectedNamingColumnAndType() {
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", "1", "u", 1.0, true, null, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'id' of table 'events' got a java.lang.String where LONG is expected");
  }

  @Test
  void stringListsIncludingEmptyOnesAreAccepted() {
    layout.validate(DeltaRow.of("events", 1L, "u", 1.0, true, List.of(), "2026-11-23"));
    layout.validate(DeltaRow.of("events", 1L, "u", 1.0, true, List.of("b", "a"), "2026-11-23"));
  }

  @Test
  void listWithANonStringElementIsRejectedNamingTheElementType() {
    assertThatThrownBy(
            () ->
                layout.validate(
                    DeltaRow.of("events", 1L, "u", 1.0, true, List.of("a", 7), "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Column 'top_items' of table 'events' got a list with a java.lang.Integer element"
                + " where STRING_LIST is expected");
  }

  @Test
  void valueThatIsNotAListIsRejectedForAStringListColumn() {
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", 1L, "u", 1.0, true, "a", "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Column 'top_items' of table 'events' got a java.lang.String where STRING_LIST is"
                + " expected");
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", 1L, List.of("u"), 1.0, true, null, "d")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Column 'user_name' of table 'events' got a list of strings where STRING is expected");
  }

  @Test
  void emptyPartitionValueIsRejectedBecauseDeltaReadsItAsNull() {
    assertThatThrownBy(() -> layout.validate(DeltaRow.of("events", 1L, "u", 1.0, true, null, "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Column 'event_date' of table 'events' got an empty partition value");
  }
}
