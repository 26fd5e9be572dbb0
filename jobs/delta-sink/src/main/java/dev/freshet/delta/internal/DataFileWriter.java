package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaRow;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/**
 * One open Parquet data file of one table partition: writes the data columns of each row and
 * collects the file's Delta statistics, and its rows per event time, as it goes.
 */
final class DataFileWriter {

  private final TableLayout layout;
  private final String relativePath;
  private final Path absolutePath;
  private final Map<String, String> partitionValues;
  private final Configuration hadoopConfiguration;
  private final ParquetWriter<Group> parquetWriter;
  private final SimpleGroupFactory groups;
  private final FileStatistics statistics;
  private final OptionalInt eventTimeColumnIndex;
  // Feature rows are window-aligned: a file lives for one checkpoint interval and sees one event
  // time per window that fired in it, so the map stays small and needs no cap.
  private final SortedMap<Long, Long> rowsByEventTime = new TreeMap<>();

  /**
   * @param eventTimeColumnIndex the row position of the table's event time, empty when it records
   *     none
   */
  DataFileWriter(
      TableLayout layout,
      Path tableRoot,
      String relativePath,
      List<String> partitionValues,
      OptionalInt eventTimeColumnIndex,
      Configuration hadoopConfiguration)
      throws IOException {
    this.layout = layout;
    this.relativePath = relativePath;
    this.absolutePath = new Path(tableRoot, relativePath);
    // Copied from PROTOCOL.md, "Partition Value Serialization": partition values are strings, a
    // string column's value as it is, and a null partition is JSON null. (An empty string would
    // read back as null, which is why TableLayout rejects it.)
    this.partitionValues = new LinkedHashMap<>();
    List<String> partitionColumns = layout.schema().partitionColumns();
    for (int i = 0; i < partitionColumns.size(); i++) {
      this.partitionValues.put(partitionColumns.get(i), partitionValues.get(i));
    }
    this.hadoopConfiguration = hadoopConfiguration;
    this.groups = new SimpleGroupFactory(layout.parquetSchema());
    this.statistics = new FileStatistics(layout.dataColumns());
    this.eventTimeColumnIndex = eventTimeColumnIndex;
    this.parquetWriter =
        ExampleParquetWriter.builder(HadoopOutputFile.fromPath(absolutePath, hadoopConfiguration))
            .withConf(hadoopConfiguration)
            .withType(layout.parquetSchema())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .build();
  }

  void write(DeltaRow row) throws IOException {
    int[] dataIndices = layout.dataColumnIndices();
    List<DeltaColumn> dataColumns = layout.dataColumns();
    Object[] dataValues = new Object[dataIndices.length];
    Group group = groups.newGroup();
    for (int field = 0; field < dataIndices.length; field++) {
      Object value = row.value(dataIndices[field]);
      dataValues[field] = value;
      if (value == null) {
        continue;
      }
      switch (dataColumns.get(field).type()) {
        case STRING -> group.add(field, (String) value);
        case LONG -> group.add(field, ((Number) value).longValue());
        case DOUBLE -> group.add(field, ((Number) value).doubleValue());
        case BOOLEAN -> group.add(field, (Boolean) value);
        case STRING_LIST -> addStringList(group.addGroup(field), (List<?>) value);
      }
    }
    parquetWriter.write(group);
    statistics.add(dataValues);
    if (eventTimeColumnIndex.isPresent()) {
      Object eventTime = row.value(eventTimeColumnIndex.getAsInt());
      if (eventTime != null) {
        rowsByEventTime.merge(((Number) eventTime).longValue(), 1L, Long::sum);
      }
    }
  }

  // One repeated "list" group per element under the LIST group (TableLayout#parquetSchema); an
  // empty list is the LIST group with no repetitions, which readers tell apart from a null list.
  private static void addStringList(Group list, List<?> elements) {
    for (Object element : elements) {
      list.addGroup(TableLayout.LIST_REPEATED_GROUP)
          .append(TableLayout.LIST_ELEMENT, (String) element);
    }
  }

  /** Finishes the file and describes it for the Delta log. */
  DeltaCommittable close() throws IOException {
    parquetWriter.close();
    FileStatus status = absolutePath.getFileSystem(hadoopConfiguration).getFileStatus(absolutePath);
    return new DeltaCommittable(
        layout.tableName(),
        relativePath,
        partitionValues,
        status.getLen(),
        status.getModificationTime(),
        statistics.numRecords(),
        statistics.toJson(),
        DeltaCommittable.NO_CHECKPOINT,
        rowsByEventTime);
  }

  /** Closes and deletes a file that will never be committed. */
  void discard() throws IOException {
    try {
      parquetWriter.close();
    } finally {
      FileSystem fileSystem = absolutePath.getFileSystem(hadoopConfiguration);
      fileSystem.delete(absolutePath, false);
    }
  }
}
