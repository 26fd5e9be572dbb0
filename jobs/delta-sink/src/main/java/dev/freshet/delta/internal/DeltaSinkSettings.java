package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaTableSchema;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  public DeltaSinkSettings(
      String basePath,
      List<DeltaTableSchema> tables,
      String appId,
      Map<String, String> hadoopConfiguration,
      DeltaCommitListener commitListener,
      int maxCommitAttempts) {
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
