package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaTestTables;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileStatisticsTest {

  private static final List<DeltaColumn> COLUMNS =
      List.of(
          DeltaColumn.required("id", DeltaColumnType.LONG),
          DeltaColumn.nullable("name", DeltaColumnType.STRING),
          DeltaColumn.nullable("amount", DeltaColumnType.DOUBLE),
          DeltaColumn.nullable("flagged", DeltaColumnType.BOOLEAN));

  @Test
  void statsFollowTheDeltaProtocolLayout() {
    FileStatistics statistics = new FileStatistics(COLUMNS);
    statistics.add(new Object[] {5L, "bob", 2.5, true});
    statistics.add(new Object[] {-3L, "alice", null, null});
    statistics.add(new Object[] {9, null, -1.25f, false});

    assertThat(statistics.toJson())
        .isEqualTo(
            "{\"numRecords\":3,"
                + "\"minValues\":{\"id\":-3,\"name\":\"alice\",\"amount\":-1.25},"
                + "\"maxValues\":{\"id\":9,\"name\":\"bob\",\"amount\":2.5},"
                + "\"nullCount\":{\"id\":0,\"name\":1,\"amount\":1,\"flagged\":1}}");
  }

  @Test
  void columnWithOnlyNullsHasNoBounds() {
    FileStatistics statistics = new FileStatistics(COLUMNS);
    statistics.add(new Object[] {1L, null, null, null});

    assertThat(statistics.toJson())
        .isEqualTo(
            "{\"numRecords\":1,\"minValues\":{\"id\":1},\"maxValues\":{\"id\":1},"
                + "\"nullCount\":{\"id\":0,\"name\":1,\"amount\":1,\"flagged\":1}}");
  }

  @Test
  void longStringKeepsATruncatedMinimumAndDropsTheMaximum() {
    FileStatistics statistics = new FileStatistics(COLUMNS);
    String longName = "z".repeat(40);
    statistics.add(new Object[] {1L, longName, null, null});

    var stats = DeltaTestTables.parseJson(statistics.toJson());

    assertThat(stats.get("minValues").get("name").asText()).isEqualTo("z".repeat(32));
    assertThat(stats.get("maxValues").has("name")).isFalse();
  }

  @Test
  void nonFiniteDoublesDropTheBoundsJsonCannotHold() {
    FileStatistics statistics = new FileStatistics(COLUMNS);
    statistics.add(new Object[] {1L, null, 1.0, null});
    statistics.add(new Object[] {2L, null, Double.NaN, null});

    var stats = DeltaTestTables.parseJson(statistics.toJson());

    assertThat(stats.get("minValues").has("amount")).isFalse();
    assertThat(stats.get("maxValues").has("amount")).isFalse();
    assertThat(stats.get("nullCount").get("amount").asLong()).isZero();
  }

  @Test
  void stringBoundsUseCodePointOrderLikeUtf8Bytes() {
    FileStatistics statistics = new FileStatistics(COLUMNS);
    // U+FFFD sorts before U+1F600 in UTF-8, although its UTF-16 unit is larger than a surrogate.
    statistics.add(new Object[] {1L, "\uFFFD", null, null});
    statistics.add(new Object[] {2L, "\uD83D\uDE00", null, null});

    var stats = DeltaTestTables.parseJson(statistics.toJson());

    assertThat(stats.get("minValues").get("name").asText()).isEqualTo("\uFFFD");
    assertThat(stats.get("maxValues").get("name").asText()).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void stringListColumnCountsNullListsButNotEmptyOnesAndHasNoBounds() {
    FileStatistics statistics =
        new FileStatistics(
            List.of(
                DeltaColumn.required("id", DeltaColumnType.LONG),
                DeltaColumn.nullable("top_items", DeltaColumnType.STRING_LIST)));
    statistics.add(new Object[] {1L, List.of("b", "a")});
    statistics.add(new Object[] {2L, List.of()});
    statistics.add(new Object[] {3L, null});

    assertThat(statistics.toJson())
        .isEqualTo(
            "{\"numRecords\":3,\"minValues\":{\"id\":1},\"maxValues\":{\"id\":3},"
                + "\"nullCount\":{\"id\":0,\"top_items\":1}}");
  }

  @Test
  void statsAreQuotedAsAJsonStringLiteral() {
    String literal = FileStatistics.asJsonStringLiteral("{\"numRecords\":1}");

    assertThat(literal).isEqualTo("\"{\\\"numRecords\\\":1}\"");
    assertThat(DeltaTestTables.parseJson(literal).isTextual()).isTrue();
  }
}
