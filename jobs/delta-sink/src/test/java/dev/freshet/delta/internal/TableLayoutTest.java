package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.types.StructField;
import io.delta.standalone.types.StructType;
import io.delta.standalone.util.ParquetSchemaConverter;
import java.util.Arrays;
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
  void partitionValuesComeFromThePartitionColumns() {
    DeltaRow row = DeltaRow.of("events", 1L, "u", 1.0, true, "2026-11-23");

    assertThat(layout.partitionValuesOf(row)).containsExactly("2026-11-23");
  }

  @Test
  void rowWithWrongArityIsRejected() {
    assertThatThrownBy(() -> layout.validate(DeltaRow.of("events", 1L, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 2 values but the table has 5 columns");
  }

  @Test
  void nullInRequiredColumnIsRejectedNamingIt() {
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", null, "u", 1.0, true, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'id' of table 'events' got null in a required column");
  }

  @Test
  void valueOfWrongTypeIsRejectedNamingColumnAndType() {
    assertThatThrownBy(
            () -> layout.validate(DeltaRow.of("events", "1", "u", 1.0, true, "2026-11-23")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'id' of table 'events' got a java.lang.String where LONG is expected");
  }

  @Test
  void emptyPartitionValueIsRejectedBecauseDeltaReadsItAsNull() {
    assertThatThrownBy(() -> layout.validate(DeltaRow.of("events", 1L, "u", 1.0, true, "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Column 'event_date' of table 'events' got an empty partition value");
  }
}
