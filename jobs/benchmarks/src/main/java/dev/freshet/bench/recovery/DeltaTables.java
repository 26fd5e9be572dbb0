package dev.freshet.bench.recovery;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import io.delta.standalone.types.ArrayType;
import io.delta.standalone.types.DoubleType;
import io.delta.standalone.types.IntegerType;
import io.delta.standalone.types.LongType;
import io.delta.standalone.types.StructField;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/** The offline tables of one job run, under one base directory, read as any Delta reader would. */
public final class DeltaTables {

  private final Path basePath;

  public DeltaTables(Path basePath) {
    this.basePath = basePath;
  }

  /**
   * When the latest commit to any table was written (the modification time of its log entry), or -1
   * before the first.
   */
  public long latestCommitMillis() throws IOException {
    if (!Files.isDirectory(basePath)) {
      return -1;
    }
    long latest = -1;
    try (Stream<Path> tables = Files.list(basePath)) {
      for (Path table : tables.toList()) {
        Path log = table.resolve("_delta_log");
        if (!Files.isDirectory(log)) {
          continue;
        }
        try (Stream<Path> entries = Files.list(log)) {
          for (Path entry : entries.filter(p -> p.toString().endsWith(".json")).toList()) {
            latest = Math.max(latest, Files.getLastModifiedTime(entry).toMillis());
          }
        }
      }
    }
    return latest;
  }

  /** The table directories, by name. */
  public List<String> tableNames() throws IOException {
    try (Stream<Path> tables = Files.list(basePath)) {
      return tables
          .filter(t -> Files.isDirectory(t.resolve("_delta_log")))
          .map(t -> t.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  /**
   * The rows of {@code table} whose feature time passes {@code featureTimes}: each row's exact
   * columns written out as text (doubles to nine significant digits: a sum's last bits depend on
   * the order it was added in) to the values of its {@code estimated} columns, one array per row.
   */
  public Map<String, List<long[]>> rows(
      String table, String featureTimeColumn, LongPredicate featureTimes, Set<String> estimated)
      throws IOException {
    Snapshot snapshot =
        DeltaLog.forTable(new Configuration(), basePath.resolve(table).toString()).update();
    Map<String, List<long[]>> rows = new HashMap<>();
    if (snapshot.getVersion() < 0) {
      return rows;
    }
    StructField[] fields = snapshot.getMetadata().getSchema().getFields();
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        if (!featureTimes.test(record.getLong(featureTimeColumn))) {
          continue;
        }
        List<String> exact = new ArrayList<>();
        List<Long> estimates = new ArrayList<>();
        for (StructField field : fields) {
          if (estimated.contains(field.getName())) {
            estimates.add(record.isNullAt(field.getName()) ? -1 : record.getLong(field.getName()));
          } else {
            exact.add(text(record, field));
          }
        }
        rows.computeIfAbsent(String.join("|", exact), row -> new ArrayList<>())
            .add(estimates.stream().mapToLong(Long::longValue).toArray());
      }
    }
    return rows;
  }

  /** How many distinct values the given columns take together over every row of {@code table}. */
  public long distinctValues(String table, List<String> columns) throws IOException {
    Snapshot snapshot =
        DeltaLog.forTable(new Configuration(), basePath.resolve(table).toString()).update();
    if (snapshot.getVersion() < 0) {
      return 0;
    }
    Map<String, StructField> fields = new HashMap<>();
    for (StructField field : snapshot.getMetadata().getSchema().getFields()) {
      fields.put(field.getName(), field);
    }
    Set<String> distinct = new HashSet<>();
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        List<String> values = new ArrayList<>();
        for (String column : columns) {
          values.add(text(record, fields.get(column)));
        }
        distinct.add(String.join("|", values));
      }
    }
    return distinct.size();
  }

  private static String text(RowRecord record, StructField field) {
    String name = field.getName();
    if (record.isNullAt(name)) {
      return "null";
    }
    if (field.getDataType() instanceof DoubleType) {
      return String.format(Locale.ROOT, "%.9g", record.getDouble(name));
    }
    if (field.getDataType() instanceof LongType) {
      return Long.toString(record.getLong(name));
    }
    if (field.getDataType() instanceof IntegerType) {
      return Integer.toString(record.getInt(name));
    }
    if (field.getDataType() instanceof ArrayType) {
      return record.getList(name).toString();
    }
    return record.getString(name);
  }
}
