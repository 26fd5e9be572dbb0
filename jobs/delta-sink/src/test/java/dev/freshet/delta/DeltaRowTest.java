package dev.freshet.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
  void listValuesAreCopiedSoTheCallersListCannotChangeTheRow() {
    List<String> items = new ArrayList<>(List.of("b", "a"));
    DeltaRow row = DeltaRow.of("top_k", 1L, items);

    items.set(0, "changed");
    items.add("more");

    assertThat(row.value(1)).isEqualTo(List.of("b", "a"));
    assertThatThrownBy(() -> ((List<?>) row.value(1)).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(row).isEqualTo(DeltaRow.of("top_k", 1L, List.of("b", "a")));
    assertThat(row).isNotEqualTo(DeltaRow.of("top_k", 1L, List.of("a", "b")));
    assertThat(DeltaRow.of("top_k", 1L, List.of())).isNotEqualTo(DeltaRow.of("top_k", 1L, null));
  }

  @Test
  void listWithANullElementIsRejected() {
    assertThatThrownBy(() -> DeltaRow.of("top_k", 1L, Arrays.asList("a", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Value at position 1 of a row for table 'top_k' is a list with a null element;"
                + " a STRING_LIST value cannot hold nulls");
  }

  @Test
  void toStringShowsTableAndValues() {
    assertThat(DeltaRow.of("clicks", "u1", null).toString())
        .isEqualTo("DeltaRow{table=clicks, values=[u1, null]}");
  }
}
