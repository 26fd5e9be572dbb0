package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rows into one open Parquet file per (table, partition values) and hands every file over as
 * a committable at each checkpoint and at the end of input.
 *
 * <p>Files are written at their final location: a file the Delta log does not reference is not part
 * of the table, so a file left behind by a failure is invisible garbage (VACUUM removes it). The
 * writer keeps no state because every checkpoint closes all its files.
 */
public final class DeltaSinkWriter implements CommittingSinkWriter<DeltaRow, DeltaCommittable> {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaSinkWriter.class);

  private final DeltaSinkSettings settings;
  private final int subtaskIndex;
  private final Map<String, TableLayout> layouts = new HashMap<>();
  private final Map<OpenFileKey, DataFileWriter> openFiles = new LinkedHashMap<>();
  private Configuration hadoopConfiguration;

  public DeltaSinkWriter(DeltaSinkSettings settings, int subtaskIndex) {
    this.settings = settings;
    this.subtaskIndex = subtaskIndex;
    for (DeltaTableSchema table : settings.tablesByName().values()) {
      layouts.put(table.tableName(), new TableLayout(table));
    }
  }

  @Override
  public void write(DeltaRow row, Context context) throws IOException {
    TableLayout layout = layouts.get(row.table());
    if (layout == null) {
      throw new IllegalArgumentException(
          "Row for unknown Delta table '"
              + row.table()
              + "'; this sink writes the tables "
              + layouts.keySet().stream().sorted().toList());
    }
    layout.validate(row);
    OpenFileKey key = new OpenFileKey(row.table(), layout.partitionValuesOf(row));
    DataFileWriter file = openFiles.get(key);
    if (file == null) {
      file = openFile(layout, key.partitionValues());
      openFiles.put(key, file);
    }
    file.write(row);
  }

  private DataFileWriter openFile(TableLayout layout, List<String> partitionValues)
      throws IOException {
    if (hadoopConfiguration == null) {
      hadoopConfiguration = settings.newHadoopConfiguration();
    }
    // A random UUID keeps names unique across subtasks, attempts and restarts without any state.
    String relativePath =
        PartitionPaths.directoryFor(layout.schema().partitionColumns(), partitionValues)
            + String.format("part-%05d-%s.snappy.parquet", subtaskIndex, UUID.randomUUID());
    return new DataFileWriter(
        layout,
        settings.tableRoot(layout.tableName()),
        relativePath,
        partitionValues,
        settings.eventTimeColumnIndex(layout.schema()),
        hadoopConfiguration);
  }

  @Override
  public void flush(boolean endOfInput) {
    // prepareCommit closes the files; closing them here too would only split them further.
  }

  @Override
  public List<DeltaCommittable> prepareCommit() throws IOException {
    List<DeltaCommittable> committables = new ArrayList<>(openFiles.size());
    for (DataFileWriter file : openFiles.values()) {
      committables.add(file.close());
    }
    openFiles.clear();
    return committables;
  }

  @Override
  public void close() {
    for (DataFileWriter file : openFiles.values()) {
      try {
        file.discard();
      } catch (IOException | RuntimeException e) {
        LOG.warn("Could not remove an uncommitted Delta data file; it stays as garbage", e);
      }
    }
    openFiles.clear();
  }

  private record OpenFileKey(String table, List<String> partitionValues) {}
}
