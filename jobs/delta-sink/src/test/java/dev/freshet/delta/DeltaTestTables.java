package dev.freshet.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/** Reads Delta tables back the way an independent reader would, for assertions. */
public final class DeltaTestTables {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeltaTestTables() {}

  /** A table with every column type, nullable columns and an event_date partition. */
  public static DeltaTableSchema eventsTable(String name) {
    return DeltaTableSchema.builder(name)
        .requiredColumn("id", DeltaColumnType.LONG)
        .nullableColumn("user_name", DeltaColumnType.STRING)
        .nullableColumn("amount", DeltaColumnType.DOUBLE)
        .nullableColumn("flagged", DeltaColumnType.BOOLEAN)
        .nullableColumn("top_items", DeltaColumnType.STRING_LIST)
        .requiredColumn("event_date", DeltaColumnType.STRING)
        .partitionedBy("event_date")
        .build();
  }

  /**
   * A feature table: one value per entity and window, with the window's event time in {@code
   * event_time} (epoch milliseconds, nullable) and an event_date partition.
   */
  public static DeltaTableSchema featureTable(String name) {
    return DeltaTableSchema.builder(name)
        .requiredColumn("entity_id", DeltaColumnType.STRING)
        .nullableColumn("event_time", DeltaColumnType.LONG)
        .nullableColumn("clicks_5m", DeltaColumnType.LONG)
        .requiredColumn("event_date", DeltaColumnType.STRING)
        .partitionedBy("event_date")
        .build();
  }

  /** Every row of the table's latest snapshot, loaded fresh through delta-standalone. */
  public static List<DeltaRow> readRows(Path tableRoot, DeltaTableSchema schema) {
    Snapshot snapshot = DeltaLog.forTable(new Configuration(), tableRoot.toString()).update();
    List<DeltaRow> rows = new ArrayList<>();
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        Object[] values = new Object[schema.columns().size()];
        for (int i = 0; i < values.length; i++) {
          DeltaColumn column = schema.columns().get(i);
          if (record.isNullAt(column.name())) {
            continue;
          }
          values[i] =
              switch (column.type()) {
                case STRING -> record.getString(column.name());
                case LONG -> record.getLong(column.name());
                case DOUBLE -> record.getDouble(column.name());
                case BOOLEAN -> record.getBoolean(column.name());
                case STRING_LIST -> record.getList(column.name());
              };
        }
        rows.add(DeltaRow.of(schema.tableName(), values));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** The table properties ({@code metaData.configuration}) of the table's latest snapshot. */
  public static Map<String, String> tableProperties(Path tableRoot) {
    return DeltaLog.forTable(new Configuration(), tableRoot.toString())
        .update()
        .getMetadata()
        .getConfiguration();
  }

  /** The commit files ({@code _delta_log/<version>.json}) in version order. */
  public static List<Path> commitFiles(Path tableRoot) {
    try (Stream<Path> files = Files.list(tableRoot.resolve("_delta_log"))) {
      return files
          .filter(file -> file.getFileName().toString().matches("\\d{20}\\.json"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every action of one commit file, one JSON object per line. */
  public static List<JsonNode> actions(Path commitFile) {
    try {
      List<JsonNode> actions = new ArrayList<>();
      for (String line : Files.readAllLines(commitFile)) {
        if (!line.isBlank()) {
          actions.add(JSON.readTree(line));
        }
      }
      return actions;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code add} actions of every commit of the table, in commit order. */
  public static List<JsonNode> addActions(Path tableRoot) {
    List<JsonNode> adds = new ArrayList<>();
    for (Path commitFile : commitFiles(tableRoot)) {
      for (JsonNode action : actions(commitFile)) {
        if (action.has("add")) {
          adds.add(action.get("add"));
        }
      }
    }
    return adds;
  }

  public static JsonNode parseJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
