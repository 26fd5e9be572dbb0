package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaTableSchema;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** The validated configuration of one sink, shipped to its writers and its committer. */
public final class DeltaSinkSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String basePath;
  private final Map<String, DeltaTableSchema> tablesByName;
  private final String appId;
  private final Map<String, String> hadoopConfiguration;
  private final DeltaCommitListener commitListener;
  private final int maxCommitAttempts;
  // Null when the sink records no event times; a String rather than an Optional so that the
  // settings stay serializable.
  private final String eventTimeColumn;

  /**
   * @param eventTimeColumn the name of the LONG column holding a row's event time, or null when the
   *     sink records no event times
   */
  public DeltaSinkSettings(
      String basePath,
      List<DeltaTableSchema> tables,
      String appId,
      Map<String, String> hadoopConfiguration,
      DeltaCommitListener commitListener,
      int maxCommitAttempts,
      String eventTimeColumn) {
    this.basePath = basePath;
    Map<String, DeltaTableSchema> byName = new LinkedHashMap<>();
    for (DeltaTableSchema table : tables) {
      byName.put(table.tableName(), table);
    }
    this.tablesByName = byName;
    this.appId = appId;
    this.hadoopConfiguration = new LinkedHashMap<>(hadoopConfiguration);
    this.commitListener = commitListener;
    this.maxCommitAttempts = maxCommitAttempts;
    this.eventTimeColumn = eventTimeColumn;
  }

  public String basePath() {
    return basePath;
  }

  public Map<String, DeltaTableSchema> tablesByName() {
    return Collections.unmodifiableMap(tablesByName);
  }

  public String appId() {
    return appId;
  }

  public DeltaCommitListener commitListener() {
    return commitListener;
  }

  public int maxCommitAttempts() {
    return maxCommitAttempts;
  }

  /**
   * The row position of the table's event time: its LONG column named like the sink's event time
   * column, or empty when the sink records no event times or the table has no such column. (The
   * builder rejects a table whose column of that name has another type.)
   */
  public OptionalInt eventTimeColumnIndex(DeltaTableSchema table) {
    List<DeltaColumn> columns = table.columns();
    for (int i = 0; i < columns.size(); i++) {
      DeltaColumn column = columns.get(i);
      if (column.name().equals(eventTimeColumn) && column.type() == DeltaColumnType.LONG) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  public Path tableRoot(String tableName) {
    return new Path(basePath, tableName);
  }

  /** A fresh Hadoop configuration: Hadoop's defaults overlaid with the sink's entries. */
  public Configuration newHadoopConfiguration() {
    Configuration configuration = new Configuration();
    hadoopConfiguration.forEach(configuration::set);
    return configuration;
  }
}
