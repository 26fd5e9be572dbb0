package dev.freshet.delta.internal;

import static dev.freshet.delta.DeltaTestTables.actions;
import static dev.freshet.delta.DeltaTestTables.commitFiles;
import static dev.freshet.delta.DeltaTestTables.readRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.delta.DeltaTestTables;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.actions.AddFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table written under one feature contract and then by a restored job whose contract gained a
 * feature or dropped a deprecated one, read back through delta-standalone's own reader.
 */
class SchemaEvolutionTest {

  /** Contract version 1: id, user_name, amount, flagged, top_items, event_date. */
  private static final DeltaTableSchema V1 = DeltaTestTables.eventsTable("clicks");

  /** Version 1 plus a nullable column in the middle of the row. */
  private static final DeltaTableSchema WITH_COUNTRY =
      v1With(columns -> columns.add(2, DeltaColumn.nullable("country", DeltaColumnType.STRING)));

  /** Version 1 without the nullable "flagged". */
  private static final DeltaTableSchema WITHOUT_FLAGGED =
      v1With(columns -> columns.removeIf(column -> column.name().equals("flagged")));

  private static final String DATE = "2026-11-23";

  /** Version 1's columns, changed in place, with its name and partitioning. */
  private static DeltaTableSchema v1With(Consumer<List<DeltaColumn>> change) {
    List<DeltaColumn> columns = new ArrayList<>(V1.columns());
    change.accept(columns);
    return DeltaTableSchema.of("clicks", columns, V1.partitionColumns());
  }

  @TempDir Path basePath;

  private static DeltaRow v1Row(long id) {
    return DeltaRow.of(
        "clicks", id, "user-" + id, id * 1.5, id % 2 == 0, List.of("item-" + id), DATE);
  }

  private static DeltaRow withCountryRow(long id, String country) {
    return DeltaRow.of(
        "clicks", id, "user-" + id, country, id * 1.5, id % 2 == 0, List.of("item-" + id), DATE);
  }

  private static DeltaRow withoutFlaggedRow(long id) {
    return DeltaRow.of("clicks", id, "user-" + id, id * 1.5, List.of("item-" + id), DATE);
  }

  private Path table() {
    return basePath.resolve("clicks");
  }

  private DeltaLog freshLog() {
    return DeltaLog.forTable(new Configuration(), table().toString());
  }

  private List<String> tableColumns() {
    return List.of(freshLog().update().getMetadata().getSchema().getFieldNames());
  }

  /** How many metaData actions each commit file holds, in version order. */
  private List<Long> metadataActionsPerVersion() {
    return commitFiles(table()).stream()
        .map(commit -> actions(commit).stream().filter(action -> action.has("metaData")).count())
        .toList();
  }

  private JsonNode metadataOfVersion(int version) {
    return actions(commitFiles(table()).get(version)).stream()
        .filter(action -> action.has("metaData"))
        .findFirst()
        .orElseThrow()
        .get("metaData");
  }

  /** The columns each live file's stats describe, one set per file. */
  private Set<Set<String>> statsColumnsOfLiveFiles(long expectedRows) {
    Set<Set<String>> columnSets = new HashSet<>();
    long rows = 0;
    for (AddFile file : freshLog().update().getAllFiles()) {
      JsonNode stats = DeltaTestTables.parseJson(file.getStats());
      Set<String> columns = new HashSet<>();
      stats.get("nullCount").fieldNames().forEachRemaining(columns::add);
      columnSets.add(columns);
      rows += stats.get("numRecords").asLong();
    }
    assertThat(rows).as("numRecords over all files").isEqualTo(expectedRows);
    return columnSets;
  }

  private static List<String> v1Columns() {
    return List.of("id", "user_name", "amount", "flagged", "top_items", "event_date");
  }

  @Test
  void nullableColumnAddedInTheMiddleIsAppendedToTheSchemaInTheCommitOfItsFirstFiles()
      throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1), v1Row(2)));
    SinkFixture evolved = new SinkFixture(basePath, List.of(WITH_COUNTRY));
    DeltaLogCommitter restored = evolved.committerRestoredFrom(1);

    SinkFixture.commit(
        restored, evolved.write(2, withCountryRow(3, "NL"), withCountryRow(4, null)));

    List<DeltaRow> expected =
        new ArrayList<>(
            List.of(
                withCountryRow(1, null),
                withCountryRow(2, null),
                withCountryRow(3, "NL"),
                withCountryRow(4, null)));
    assertThat(tableColumns())
        .containsExactly(
            "id", "user_name", "amount", "flagged", "top_items", "event_date", "country");
    assertThat(readRows(table(), WITH_COUNTRY)).containsExactlyInAnyOrderElementsOf(expected);
    List<JsonNode> evolvingCommit = actions(commitFiles(table()).get(1));
    assertThat(evolvingCommit.stream().filter(action -> action.has("metaData"))).hasSize(1);
    assertThat(evolvingCommit.stream().filter(action -> action.has("add"))).hasSize(1);
    assertThat(evolvingCommit.stream().filter(action -> action.has("txn"))).hasSize(1);
    JsonNode created = metadataOfVersion(0);
    JsonNode changed = metadataOfVersion(1);
    for (String kept :
        List.of("id", "name", "format", "partitionColumns", "configuration", "createdTime")) {
      assertThat(changed.get(kept)).as(kept).isEqualTo(created.get(kept));
    }
    assertThat(changed.get("schemaString").asText())
        .endsWith(
            "{\"name\":\"event_date\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}},"
                + "{\"name\":\"country\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}");

    // Later commits carry no metadata, and the evolved schema survives the Parquet checkpoint
    // Delta writes at version 10, which a fresh reader starts from.
    for (long checkpoint = 3; checkpoint <= 11; checkpoint++) {
      DeltaRow row = withCountryRow(checkpoint + 2, "country-" + checkpoint);
      expected.add(row);
      SinkFixture.commit(restored, evolved.write(checkpoint, row));
    }
    assertThat(table().resolve("_delta_log/00000000000000000010.checkpoint.parquet")).exists();
    assertThat(metadataActionsPerVersion())
        .containsExactly(1L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    assertThat(readRows(table(), WITH_COUNTRY)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(tableColumns()).endsWith("event_date", "country");
    // Stats describe the file's own columns: old files have no "country", and still parse.
    assertThat(statsColumnsOfLiveFiles(expected.size()))
        .containsExactlyInAnyOrder(
            Set.of("id", "user_name", "amount", "flagged", "top_items"),
            Set.of("id", "user_name", "country", "amount", "flagged", "top_items"));
  }

  @Test
  void nullableColumnNoLongerWrittenStaysInTheSchemaAndReadsNullInNewRows() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1), v1Row(2)));
    SinkFixture deprecated = new SinkFixture(basePath, List.of(WITHOUT_FLAGGED));

    SinkFixture.commit(
        deprecated.committerRestoredFrom(1),
        deprecated.write(2, withoutFlaggedRow(3), withoutFlaggedRow(4)));

    assertThat(tableColumns()).containsExactlyElementsOf(v1Columns());
    assertThat(metadataActionsPerVersion()).containsExactly(1L, 0L);
    assertThat(readRows(table(), V1))
        .containsExactlyInAnyOrder(
            v1Row(1),
            v1Row(2),
            DeltaRow.of("clicks", 3L, "user-3", 4.5, null, List.of("item-3"), DATE),
            DeltaRow.of("clicks", 4L, "user-4", 6.0, null, List.of("item-4"), DATE));
    // The table schema has a column the new file lacks; its stats leave it out and still load.
    assertThat(statsColumnsOfLiveFiles(4))
        .containsExactlyInAnyOrder(
            Set.of("id", "user_name", "amount", "flagged", "top_items"),
            Set.of("id", "user_name", "amount", "top_items"));
  }

  @Test
  void typeChangeOfACommonColumnIsRefusedNamingTheColumn() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1)));
    DeltaTableSchema amountAsText =
        v1With(
            columns ->
                columns.replaceAll(
                    column ->
                        column.name().equals("amount")
                            ? DeltaColumn.nullable("amount", DeltaColumnType.STRING)
                            : column));
    SinkFixture changed = new SinkFixture(basePath, List.of(amountAsText));
    List<DeltaCommittable> files =
        changed.write(2, DeltaRow.of("clicks", 2L, "user-2", "3.0", true, List.of("item-2"), DATE));

    assertThatThrownBy(() -> SinkFixture.commit(changed.committerRestoredFrom(1), files))
        .isInstanceOf(SchemaEvolution.IncompatibleSchemaException.class)
        .hasMessage(
            "Delta table 'clicks' at "
                + changed.settings().tableRoot("clicks")
                + " cannot take the sink's schema: column 'amount' is double in the table but"
                + " string in the sink. Only adding nullable columns and no longer writing"
                + " nullable columns evolve a table in place; this change needs a new contract"
                + " version (a new table).");
    assertThat(commitFiles(table())).hasSize(1);
    assertThat(readRows(table(), V1)).containsExactly(v1Row(1));
  }

  @Test
  void changedPartitioningIsRefused() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1)));
    DeltaTableSchema unpartitioned = DeltaTableSchema.of("clicks", V1.columns(), List.of());
    SinkFixture changed = new SinkFixture(basePath, List.of(unpartitioned));
    List<DeltaCommittable> files = changed.write(2, v1Row(2));

    assertThatThrownBy(() -> SinkFixture.commit(changed.committerRestoredFrom(1), files))
        .isInstanceOf(SchemaEvolution.IncompatibleSchemaException.class)
        .hasMessage(
            "Delta table 'clicks' at "
                + changed.settings().tableRoot("clicks")
                + " cannot take the sink's schema: the table is partitioned by [event_date] but"
                + " the sink partitions by []. Only adding nullable columns and no longer writing"
                + " nullable columns evolve a table in place; this change needs a new contract"
                + " version (a new table).");
    assertThat(commitFiles(table())).hasSize(1);
  }

  @Test
  void everyOtherDifferenceIsRefusedTogetherInOneMessage() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1)));
    DeltaTableSchema incompatible =
        DeltaTableSchema.builder("clicks")
            .requiredColumn("User_Name", DeltaColumnType.STRING)
            .requiredColumn("amount", DeltaColumnType.DOUBLE)
            .nullableColumn("flagged", DeltaColumnType.BOOLEAN)
            .nullableColumn("top_items", DeltaColumnType.STRING_LIST)
            .requiredColumn("score", DeltaColumnType.LONG)
            .requiredColumn("event_date", DeltaColumnType.STRING)
            .partitionedBy("event_date")
            .build();
    SinkFixture changed = new SinkFixture(basePath, List.of(incompatible));
    List<DeltaCommittable> files =
        changed.write(2, DeltaRow.of("clicks", "u", 1.0, null, null, 7L, DATE));

    assertThatThrownBy(() -> SinkFixture.commit(changed.committerRestoredFrom(1), files))
        .isInstanceOf(SchemaEvolution.IncompatibleSchemaException.class)
        .hasMessage(
            "Delta table 'clicks' at "
                + changed.settings().tableRoot("clicks")
                + " cannot take the sink's schema:"
                + " column 'id' is required in the table but the sink no longer writes it;"
                + " the sink's column 'User_Name' differs only in case from the table's column"
                + " 'user_name' (Delta column names are case-insensitive);"
                + " column 'amount' is nullable in the table but required in the sink;"
                + " new column 'score' is required, but the table's existing rows have no value"
                + " for it: a column added to a table must be nullable."
                + " Only adding nullable columns and no longer writing nullable columns evolve a"
                + " table in place; this change needs a new contract version (a new table).");
  }

  @Test
  void replayOfTheEvolvingCommitAfterItLandedDoesNotCommitTheMetadataAgain() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1)));
    SinkFixture failing =
        new SinkFixture(basePath, List.of(WITH_COUNTRY), new FailingAfterCommit());
    List<DeltaCommittable> checkpoint2 = failing.write(2, withCountryRow(2, "NL"));
    assertThatThrownBy(() -> SinkFixture.commit(failing.committerRestoredFrom(1), checkpoint2))
        .hasMessage("injected after commit");
    SinkFixture evolved = new SinkFixture(basePath, List.of(WITH_COUNTRY));
    DeltaLogCommitter restored = evolved.committerRestoredFrom(2);

    List<TestCommitRequest> replay = SinkFixture.commit(restored, checkpoint2);
    SinkFixture.commit(restored, evolved.write(3, withCountryRow(3, "BE")));

    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(metadataActionsPerVersion()).containsExactly(1L, 1L, 0L);
    assertThat(tableColumns()).endsWith("event_date", "country");
    assertThat(readRows(table(), WITH_COUNTRY))
        .containsExactlyInAnyOrder(
            withCountryRow(1, null), withCountryRow(2, "NL"), withCountryRow(3, "BE"));
  }

  @Test
  void evolvingCommitThatNeverLandedCarriesTheMetadataWhenReplayed() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    SinkFixture.commit(v1.freshCommitter(), v1.write(1, v1Row(1)));
    SinkFixture failing =
        new SinkFixture(basePath, List.of(WITH_COUNTRY), new FailingBeforeCommit());
    List<DeltaCommittable> checkpoint2 = failing.write(2, withCountryRow(2, "NL"));
    assertThatThrownBy(() -> SinkFixture.commit(failing.committerRestoredFrom(1), checkpoint2))
        .hasMessage("injected before commit");
    assertThat(tableColumns()).containsExactlyElementsOf(v1Columns());
    SinkFixture evolved = new SinkFixture(basePath, List.of(WITH_COUNTRY));

    List<TestCommitRequest> replay =
        SinkFixture.commit(evolved.committerRestoredFrom(2), checkpoint2);

    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.COMMITTED);
    assertThat(metadataActionsPerVersion()).containsExactly(1L, 1L);
    assertThat(tableColumns()).endsWith("event_date", "country");
    assertThat(readRows(table(), WITH_COUNTRY))
        .containsExactlyInAnyOrder(withCountryRow(1, null), withCountryRow(2, "NL"));
  }

  @Test
  void replayWithNothingLeftToCommitWritesNoMetadata() throws Exception {
    SinkFixture v1 = new SinkFixture(basePath, List.of(V1));
    List<DeltaCommittable> checkpoint1 = v1.write(1, v1Row(1));
    SinkFixture.commit(v1.freshCommitter(), checkpoint1);
    SinkFixture evolved = new SinkFixture(basePath, List.of(WITH_COUNTRY));

    // The upgraded job restores the old job's committables of a checkpoint already in the table.
    List<TestCommitRequest> replay =
        SinkFixture.commit(evolved.committerRestoredFrom(1), checkpoint1);

    assertThat(replay)
        .extracting(TestCommitRequest::outcome)
        .containsOnly(TestCommitRequest.Outcome.ALREADY_COMMITTED);
    assertThat(commitFiles(table())).hasSize(1);
    assertThat(tableColumns()).containsExactlyElementsOf(v1Columns());
  }

  private static final class FailingAfterCommit implements DeltaCommitListener {
    @Override
    public void afterCommit(DeltaCommit commit) {
      throw new IllegalStateException("injected after commit");
    }
  }

  private static final class FailingBeforeCommit implements DeltaCommitListener {
    @Override
    public void beforeCommit(String table, long checkpointId) {
      throw new IllegalStateException("injected before commit");
    }
  }
}
