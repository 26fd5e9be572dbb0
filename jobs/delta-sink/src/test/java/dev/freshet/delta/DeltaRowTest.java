package dev.freshet.delta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeltaRowTest {

  @Test
  void rowsWithEqualValuesAreEqual() {
    DeltaRow row = DeltaRow.of("clicks", "u1", 3L, null, true);

    assertThat(row).isEqualTo(DeltaRow.of("clicks", "u1", 3L, null, true));
    assertThat(row).hasSameHashCodeAs(DeltaRow.of("clicks", "u1", 3L, null, true));
    assertThat(row).isNotEqualTo(DeltaRow.of("orders", "u1", 3L, null, true));
    assertThat(row).isNotEqualTo(DeltaRow.of("clicks", "u1", 4L, null, true));
  }

  @Test
  void valuesCannotBeChangedFromOutside() {
    Object[] values = {"u1", 3L};
    DeltaRow row = DeltaRow.of("clicks", values);

    values[0] = "changed";
    row.values()[1] = 99L;

    assertThat(row.value(0)).isEqualTo("u1");
    assertThat(row.value(1)).isEqualTo(3L);
    assertThat(row.arity()).isEqualTo(2);
  }

  @Test
  void toStringShowsTableAndValues() {
    assertThat(DeltaRow.of("clicks", "u1", null).toString())
        .isEqualTo("DeltaRow{table=clicks, values=[u1, null]}");
  }
}
