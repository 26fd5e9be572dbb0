package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTestTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaSinkWriterTest {

  @TempDir Path basePath;

  private SinkFixture fixture() {
    return new SinkFixture(
        basePath,
        List.of(DeltaTestTables.eventsTable("clicks"), DeltaTestTables.eventsTable("orders")));
  }

  @Test
  void rowForUnknownTableIsRejectedNamingIt() {
    DeltaSinkWriter writer = new DeltaSinkWriter(fixture().settings(), 0);

    assertThatThrownBy(
            () ->
                writer.write(
                    DeltaRow.of("refunds", 1L, null, null, null, null, "2026-11-23"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Row for unknown Delta table 'refunds'; this sink writes the tables [clicks, orders]");
  }

  @Test
  void prepareCommitClosesOneFilePerTableAndPartition() throws Exception {
    List<DeltaCommittable> committables =
        fixture()
            .write(
                1,
                DeltaRow.of("clicks", 1L, "a", 1.0, true, List.of("x"), "2026-11-23"),
                DeltaRow.of("clicks", 2L, "b", 2.0, false, List.of(), "2026-11-23"),
                DeltaRow.of("clicks", 3L, "c", 3.0, null, null, "2026-11-24"),
                DeltaRow.of("orders", 4L, null, null, null, null, "2026-11-23"));

    assertThat(committables)
        .extracting(DeltaCommittable::table, DeltaCommittable::numRecords)
        .containsExactlyInAnyOrder(tuple("clicks", 2L), tuple("clicks", 1L), tuple("orders", 1L));
    for (DeltaCommittable committable : committables) {
      String date = committable.partitionValues().get("event_date");
      assertThat(committable.relativePath())
          .matches("event_date=" + date + "/part-00000-[0-9a-f-]{36}\\.snappy\\.parquet");
      Path file = basePath.resolve(committable.table()).resolve(committable.relativePath());
      assertThat(file).exists();
      assertThat(committable.sizeBytes()).isEqualTo(Files.size(file));
      assertThat(DeltaTestTables.parseJson(committable.statsJson()).get("numRecords").asLong())
          .isEqualTo(committable.numRecords());
    }
  }

  @Test
  void eachFileCountsItsRowsPerEventTimeSkippingNullsAndTablesWithoutTheColumn() throws Exception {
    SinkFixture fixture =
        new SinkFixture(
            basePath,
            List.of(
                DeltaTestTables.featureTable("features"), DeltaTestTables.eventsTable("clicks")),
            NoOpCommitListener.INSTANCE,
            "event_time");

    List<DeltaCommittable> committables =
        fixture.write(
            1,
            DeltaRow.of("features", "a", 60_000L, 1L, "2026-11-23"),
            DeltaRow.of("features", "b", 120_000L, 2L, "2026-11-23"),
            // An Integer is a LONG value too: it counts with row a's Long of the same value.
            DeltaRow.of("features", "c", 60_000, 3L, "2026-11-23"),
            DeltaRow.of("features", "d", null, 4L, "2026-11-23"),
            DeltaRow.of("features", "e", 60_000L, 5L, "2026-11-24"),
            DeltaRow.of("clicks", 6L, null, null, null, null, "2026-11-23"));

    assertThat(committables)
        .extracting(
            DeltaCommittable::table,
            committable -> committable.partitionValues().get("event_date"),
            DeltaCommittable::numRecords,
            DeltaCommittable::rowsByEventTime)
        .containsExactlyInAnyOrder(
            tuple("features", "2026-11-23", 4L, Map.of(60_000L, 2L, 120_000L, 1L)),
            tuple("features", "2026-11-24", 1L, Map.of(60_000L, 1L)),
            tuple("clicks", "2026-11-23", 1L, Map.of()));
  }

  @Test
  void sinkWithoutAnEventTimeColumnCountsNoEventTimes() throws Exception {
    SinkFixture fixture =
        new SinkFixture(basePath, List.of(DeltaTestTables.featureTable("features")));

    List<DeltaCommittable> committables =
        fixture.write(1, DeltaRow.of("features", "a", 60_000L, 1L, "2026-11-23"));

    assertThat(committables)
        .singleElement()
        .extracting(DeltaCommittable::rowsByEventTime)
        .isEqualTo(Map.of());
  }

  @Test
  void dataFilesHoldOnlyTheNonPartitionColumns() throws Exception {
    DeltaCommittable committable =
        fixture()
            .write(1, DeltaRow.of("clicks", 1L, "a", 1.0, true, List.of("x"), "2026-11-23"))
            .get(0);
    org.apache.hadoop.fs.Path file =
        new org.apache.hadoop.fs.Path(
            basePath.resolve("clicks").resolve(committable.relativePath()).toUri());

    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      assertThat(schema.getFields())
          .extracting(Type::getName)
          .containsExactly("id", "user_name", "amount", "flagged", "top_items");
      assertThat(reader.getRecordCount()).isEqualTo(1);
    }
  }

  @Test
  void nothingWrittenMeansNothingToCommit() throws Exception {
    assertThat(fixture().write(1)).isEmpty();
  }

  @Test
  void closingWithoutACheckpointDeletesTheUncommittedFiles() throws Exception {
    DeltaSinkWriter writer = new DeltaSinkWriter(fixture().settings(), 0);
    writer.write(DeltaRow.of("clicks", 1L, "a", 1.0, true, null, "2026-11-23"), null);

    writer.close();

    try (Stream<Path> files = Files.walk(basePath)) {
      assertThat(files.filter(path -> path.toString().endsWith(".parquet"))).isEmpty();
    }
  }
}
