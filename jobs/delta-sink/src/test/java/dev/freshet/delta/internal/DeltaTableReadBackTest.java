package dev.freshet.delta.internal;

import static dev.freshet.delta.DeltaTestTables.addActions;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes tables the way the sink does and reads them back through delta-standalone, as another
 * engine would, including across the Parquet checkpoint Delta writes at version 10.
 */
class DeltaTableReadBackTest {

  private static final DeltaTableSchema EVENTS = DeltaTestTables.eventsTable("events");

  @TempDir Path basePath;

  private static DeltaRow event(long id) {
    return DeltaRow.of(
        "events",
        id,
        id % 5 == 0 ? null : "user-" + id + "-\"quoted\" ✓",
        id % 7 == 0 ? null : id / 3.0,
        id % 3 == 0 ? null : id % 2 == 0,
        id % 4 == 0 ? null : List.of("b-" + id, "a ✓ \"q\"", "c").subList(0, (int) (id % 4) - 1),
        "2026-11-" + (20 + id % 3));
  }

  @Test
  void tableWithADeltaCheckpointReloadsWithEveryRowAndParsableStats() throws Exception {
    SinkFixture fixture = new SinkFixture(basePath, List.of(EVENTS));
    DeltaLogCommitter committer = fixture.freshCommitter();
    List<DeltaRow> expected = new ArrayList<>();
    long id = 0;
    for (long checkpoint = 1; checkpoint <= 13; checkpoint++) {
      List<DeltaRow> rows = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        rows.add(event(id++));
      }
      expected.addAll(rows);
      SinkFixture.commit(committer, fixture.write(checkpoint, rows.toArray(DeltaRow[]::new)));
    }

    Path table = basePath.resolve("events");
    assertThat(table.resolve("_delta_log/00000000000000000010.checkpoint.parquet")).exists();
    assertThat(table.resolve("_delta_log/_last_checkpoint")).exists();
    assertThat(readRows(table, EVENTS)).containsExactlyInAnyOrderElementsOf(expected);

    // A fresh log instance starts from the checkpoint, so the stats went through Parquet too.
    DeltaLog reloaded = DeltaLog.forTable(new Configuration(), table.toString());
    assertThat(reloaded.update().getVersion()).isEqualTo(12);
    assertThat(reloaded.startTransaction().txnVersion(SinkFixture.APP_ID)).isEqualTo(13);
    long statsRows = 0;
    for (AddFile file : reloaded.snapshot().getAllFiles()) {
      JsonNode stats = DeltaTestTables.parseJson(file.getStats());
      assertThat(stats.get("nullCount").has("event_date")).isFalse();
      assertThat(stats.get("nullCount").has("top_items")).isTrue();
      assertThat(stats.get("minValues").has("top_items")).isFalse();
      assertThat(stats.get("maxValues").has("top_items")).isFalse();
      statsRows += stats.get("numRecords").asLong();
    }
    assertThat(statsRows).isEqualTo(expected.size());
  }

  @Test
  void stringListsReadBackInOrderWithNullAndEmptyListsKeptApart() throws Exception {
    DeltaTableSchema topK =
        DeltaTableSchema.builder("top_k")
            .requiredColumn("id", DeltaColumnType.LONG)
            .nullableColumn("top_items", DeltaColumnType.STRING_LIST)
            .requiredColumn("event_date", DeltaColumnType.STRING)
            .partitionedBy("event_date")
            .build();
    SinkFixture fixture = new SinkFixture(basePath, List.of(topK));
    SinkFixture.commit(
        fixture.freshCommitter(),
        fixture.write(
            1,
            DeltaRow.of("top_k", 1L, List.of("zebra", "apple", "mango"), "2026-11-23"),
            DeltaRow.of("top_k", 2L, List.of(), "2026-11-23"),
            DeltaRow.of("top_k", 3L, null, "2026-11-23"),
            DeltaRow.of("top_k", 4L, List.of("only"), "2026-11-23"),
            DeltaRow.of("top_k", 5L, List.of("dup", "dup", "", "Zürich ✓"), "2026-11-23"),
            DeltaRow.of("top_k", 6L, null, "2026-11-23")));

    Path table = basePath.resolve("top_k");
    Map<Long, List<String>> listsById = new HashMap<>();
    try (CloseableIterator<RowRecord> records =
        DeltaLog.forTable(new Configuration(), table.toString()).snapshot().open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        listsById.put(
            record.getLong("id"),
            record.isNullAt("top_items") ? null : record.<String>getList("top_items"));
      }
    }
    assertThat(listsById).containsOnlyKeys(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(listsById.get(1L)).containsExactly("zebra", "apple", "mango");
    assertThat(listsById.get(2L)).isNotNull().isEmpty();
    assertThat(listsById.get(3L)).isNull();
    assertThat(listsById.get(4L)).containsExactly("only");
    assertThat(listsById.get(5L)).containsExactly("dup", "dup", "", "Zürich ✓");
    assertThat(listsById.get(6L)).isNull();

    // The list column has a null count (rows whose list is null, not empty ones) and no bounds.
    List<JsonNode> adds = addActions(table);
    assertThat(adds).hasSize(1);
    assertThat(adds.get(0).get("stats").asText())
        .isEqualTo(
            "{\"numRecords\":6,\"minValues\":{\"id\":1},\"maxValues\":{\"id\":6},"
                + "\"nullCount\":{\"id\":0,\"top_items\":2}}");
  }

  @Test
  void partitionValuesThatAreUnsafeInPathsReadBackExactly() throws Exception {
    DeltaTableSchema tags =
        DeltaTableSchema.builder("tags")
            .requiredColumn("id", DeltaColumnType.LONG)
            .nullableColumn("tag", DeltaColumnType.STRING)
            .partitionedBy("tag")
            .build();
    SinkFixture fixture = new SinkFixture(basePath, List.of(tags));
    List<DeltaRow> rows =
        List.of(
            DeltaRow.of("tags", 1L, "a b"),
            DeltaRow.of("tags", 2L, "50%/x:y"),
            DeltaRow.of("tags", 3L, "a_b"),
            DeltaRow.of("tags", 4L, null),
            DeltaRow.of("tags", 5L, "Zürich"));

    SinkFixture.commit(fixture.freshCommitter(), fixture.write(1, rows.toArray(DeltaRow[]::new)));

    Path table = basePath.resolve("tags");
    assertThat(readRows(table, tags)).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(addActions(table))
        .extracting(add -> add.get("path").asText())
        .allMatch(path -> path.matches("tag=[A-Za-z0-9._-]+/part-[^/]+\\.parquet"))
        .anyMatch(path -> path.startsWith("tag=__HIVE_DEFAULT_PARTITION__/"));
  }
}
