package dev.freshet.delta;

import dev.freshet.delta.internal.DeltaSinkSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/** Builds a {@link DeltaSink}. basePath, tables and appId are required. */
public final class DeltaSinkBuilder {

  static final Map<String, String> DEFAULT_HADOOP_CONFIGURATION = Map.of();
  static final DeltaCommitListener DEFAULT_COMMIT_LISTENER = DeltaCommitListener.NONE;
  static final int DEFAULT_MAX_COMMIT_ATTEMPTS = 3;

  private String basePath;
  private List<DeltaTableSchema> tables;
  private String appId;
  private Map<String, String> hadoopConfiguration = DEFAULT_HADOOP_CONFIGURATION;
  private DeltaCommitListener commitListener = DEFAULT_COMMIT_LISTENER;
  private int maxCommitAttempts = DEFAULT_MAX_COMMIT_ATTEMPTS;
  // Null until set: by default the sink records no event times.
  private String eventTimeColumn;

  DeltaSinkBuilder() {}

  /**
   * The directory holding the tables, as a Hadoop path or URI ({@code /data/delta}, {@code
   * file:///data/delta}, {@code s3a://bucket/delta}); each table lives in {@code basePath/<table
   * name>}.
   */
  public DeltaSinkBuilder basePath(String basePath) {
    this.basePath = Objects.requireNonNull(basePath, "basePath");
    return this;
  }

  /** The tables this sink writes; a {@link DeltaRow} names one of them. */
  public DeltaSinkBuilder tables(Collection<DeltaTableSchema> tables) {
    Objects.requireNonNull(tables, "tables");
    Set<String> names = new HashSet<>();
    for (DeltaTableSchema table : tables) {
      Objects.requireNonNull(table, "a table of tables");
      if (!names.add(table.tableName())) {
        throw new IllegalArgumentException(
            "tables lists table '" + table.tableName() + "' more than once");
      }
    }
    this.tables = new ArrayList<>(tables);
    return this;
  }

  /**
   * The id recorded with every commit ({@code txn.appId} in the Delta log) to recognise checkpoints
   * already committed. It names the job's lineage: keep it when the job restores from a checkpoint
   * or savepoint, and use a new one when the job starts without state, since its checkpoint ids
   * then restart at 1 (the committer refuses to commit in that case rather than skip data).
   */
  public DeltaSinkBuilder appId(String appId) {
    this.appId = Objects.requireNonNull(appId, "appId");
    return this;
  }

  /** Hadoop configuration entries for the file system, e.g. S3A credentials provider settings. */
  public DeltaSinkBuilder hadoopConfiguration(Map<String, String> hadoopConfiguration) {
    this.hadoopConfiguration =
        new LinkedHashMap<>(Objects.requireNonNull(hadoopConfiguration, "hadoopConfiguration"));
    return this;
  }

  /** Told about each Delta commit; defaults to none. */
  public DeltaSinkBuilder commitListener(DeltaCommitListener commitListener) {
    this.commitListener = Objects.requireNonNull(commitListener, "commitListener");
    return this;
  }

  /**
   * How many times one Delta commit is attempted before the job fails (and, after it restores,
   * commits again). Default {@value #DEFAULT_MAX_COMMIT_ATTEMPTS}.
   */
  public DeltaSinkBuilder maxCommitAttempts(int maxCommitAttempts) {
    this.maxCommitAttempts = maxCommitAttempts;
    return this;
  }

  /**
   * The column holding each row's event time as epoch milliseconds, so that every {@link
   * DeltaCommit} reports how many rows it made visible per event time (offline freshness is the
   * commit time minus the event time). A table with a LONG column of this name records it; a table
   * without a column of this name records nothing; a column of this name with another type fails
   * {@link #build()}. Default: none, no table records event times.
   */
  public DeltaSinkBuilder eventTimeColumn(String eventTimeColumn) {
    this.eventTimeColumn = Objects.requireNonNull(eventTimeColumn, "eventTimeColumn");
    return this;
  }

  /**
   * @throws IllegalArgumentException listing every missing or invalid option by name
   */
  public DeltaSink build() {
    List<String> problems = new ArrayList<>();
    if (basePath == null || basePath.isBlank()) {
      problems.add("basePath is required (the directory holding the tables)");
    } else {
      try {
        new Path(basePath);
      } catch (IllegalArgumentException e) {
        problems.add("basePath '" + basePath + "' is not a valid path: " + e.getMessage());
      }
    }
    if (tables == null || tables.isEmpty()) {
      problems.add("tables is required (at least one DeltaTableSchema)");
    }
    if (appId == null || appId.isBlank()) {
      problems.add("appId is required (the id Delta records with each commit of this job)");
    }
    if (maxCommitAttempts < 1) {
      problems.add("maxCommitAttempts must be at least 1, got " + maxCommitAttempts);
    }
    if (eventTimeColumn != null && tables != null) {
      for (DeltaTableSchema table : tables) {
        for (DeltaColumn column : table.columns()) {
          if (column.name().equals(eventTimeColumn) && column.type() != DeltaColumnType.LONG) {
            problems.add(
                "eventTimeColumn '"
                    + eventTimeColumn
                    + "' is "
                    + column.type()
                    + " in table '"
                    + table.tableName()
                    + "'; an event time column must be LONG (epoch milliseconds)");
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid DeltaSink configuration: " + String.join("; ", problems));
    }
    return new DeltaSink(
        new DeltaSinkSettings(
            basePath,
            tables,
            appId,
            hadoopConfiguration,
            commitListener,
            maxCommitAttempts,
            eventTimeColumn));
  }
}
