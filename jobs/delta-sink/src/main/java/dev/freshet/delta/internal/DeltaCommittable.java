package dev.freshet.delta.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One closed Parquet file waiting to be added to a Delta table.
 *
 * <p>Writers cannot see checkpoint ids, so they emit committables with {@link #NO_CHECKPOINT}; the
 * sink's pre-commit topology stamps the id Flink attached to the committable message before the
 * committer sees it (see {@link CheckpointIdStamper}).
 */
public final class DeltaCommittable {

  public static final long NO_CHECKPOINT = -1L;

  private final String table;
  private final String relativePath;
  private final Map<String, String> partitionValues;
  private final long sizeBytes;
  private final long modificationTime;
  private final long numRecords;
  private final String statsJson;
  private final long checkpointId;
  private final SortedMap<Long, Long> rowsByEventTime;

  /**
   * @param relativePath the file's path relative to the table root, exactly as the Delta log will
   *     hold it
   * @param partitionValues partition column to value, in the table's partition column order; a
   *     value may be null
   * @param statsJson the Delta per-file statistics as a JSON document (not yet quoted as a string)
   * @param rowsByEventTime event time (epoch milliseconds) to the number of the file's rows with
   *     it; empty when the table records no event time
   */
  public DeltaCommittable(
      String table,
      String relativePath,
      Map<String, String> partitionValues,
      long sizeBytes,
      long modificationTime,
      long numRecords,
      String statsJson,
      long checkpointId,
      SortedMap<Long, Long> rowsByEventTime) {
    this.table = Objects.requireNonNull(table, "table");
    this.relativePath = Objects.requireNonNull(relativePath, "relativePath");
    this.partitionValues = Collections.unmodifiableMap(new LinkedHashMap<>(partitionValues));
    this.sizeBytes = sizeBytes;
    this.modificationTime = modificationTime;
    this.numRecords = numRecords;
    this.statsJson = Objects.requireNonNull(statsJson, "statsJson");
    this.checkpointId = checkpointId;
    this.rowsByEventTime = Collections.unmodifiableSortedMap(new TreeMap<>(rowsByEventTime));
  }

  public DeltaCommittable withCheckpointId(long newCheckpointId) {
    return new DeltaCommittable(
        table,
        relativePath,
        partitionValues,
        sizeBytes,
        modificationTime,
        numRecords,
        statsJson,
        newCheckpointId,
        rowsByEventTime);
  }

  public String table() {
    return table;
  }

  public String relativePath() {
    return relativePath;
  }

  public Map<String, String> partitionValues() {
    return partitionValues;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long modificationTime() {
    return modificationTime;
  }

  public long numRecords() {
    return numRecords;
  }

  public String statsJson() {
    return statsJson;
  }

  public long checkpointId() {
    return checkpointId;
  }

  /** Event time (epoch milliseconds) to the number of the file's rows with it. */
  public SortedMap<Long, Long> rowsByEventTime() {
    return rowsByEventTime;
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof DeltaCommittable that)) {
      return false;
    }
    return sizeBytes == that.sizeBytes
        && modificationTime == that.modificationTime
        && numRecords == that.numRecords
        && checkpointId == that.checkpointId
        && table.equals(that.table)
        && relativePath.equals(that.relativePath)
        && partitionValues.equals(that.partitionValues)
        && statsJson.equals(that.statsJson)
        && rowsByEventTime.equals(that.rowsByEventTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, relativePath, checkpointId);
  }

  @Override
  public String toString() {
    return "DeltaCommittable{table="
        + table
        + ", path="
        + relativePath
        + ", rows="
        + numRecords
        + ", bytes="
        + sizeBytes
        + ", checkpoint="
        + checkpointId
        + "}";
  }
}
