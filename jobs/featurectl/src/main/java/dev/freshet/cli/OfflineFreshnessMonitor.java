package dev.freshet.cli;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.VersionLog;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.CommitInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Follows one offline table as an independent Delta reader would: for each new version it reads the
 * commit time and the {@code feature_time} of every added row. Offline freshness of a row is commit
 * time minus feature time (the end of its window, i.e. its event time).
 */
final class OfflineFreshnessMonitor {

  private static final int RECENT_SAMPLES = 20_000;

  private final Path table;
  private final Configuration hadoop = new Configuration();
  private final Deque<Long> recentFreshnessMillis = new ArrayDeque<>();
  private DeltaLog log;
  private long nextVersion;
  private long latestVersion = -1;
  private long rowsCommitted;

  OfflineFreshnessMonitor(Path table) {
    this.table = table;
  }

  /** Reads the versions committed since the last poll. */
  void poll() {
    if (log == null) {
      if (!Files.isDirectory(table.resolve("_delta_log"))) {
        return;
      }
      log = DeltaLog.forTable(hadoop, table.toString());
    }
    long current = log.update().getVersion();
    if (current < nextVersion) {
      return;
    }
    Iterator<VersionLog> versions = log.getChanges(nextVersion, true);
    while (versions.hasNext()) {
      VersionLog version = versions.next();
      long commitMillis = commitTime(version);
      for (Action action : version.getActions()) {
        if (action instanceof AddFile add) {
          readFeatureTimes(add, commitMillis);
        }
      }
      latestVersion = version.getVersion();
      nextVersion = latestVersion + 1;
    }
  }

  private long commitTime(VersionLog version) {
    return version.getActions().stream()
        .filter(CommitInfo.class::isInstance)
        .map(action -> ((CommitInfo) action).getTimestamp().getTime())
        .findFirst()
        .orElseGet(() -> logFileTime(version.getVersion()));
  }

  private long logFileTime(long version) {
    try {
      return Files.getLastModifiedTime(
              table.resolve("_delta_log").resolve(String.format("%020d.json", version)))
          .toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readFeatureTimes(AddFile add, long commitMillis) {
    org.apache.hadoop.fs.Path file =
        new org.apache.hadoop.fs.Path(table.resolve(add.getPath()).toUri());
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), file).withConf(hadoop).build()) {
      for (Group row = reader.read(); row != null; row = reader.read()) {
        rowsCommitted++;
        recentFreshnessMillis.addLast(commitMillis - row.getLong("feature_time", 0));
        if (recentFreshnessMillis.size() > RECENT_SAMPLES) {
          recentFreshnessMillis.removeFirst();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  long rowsCommitted() {
    return rowsCommitted;
  }

  long latestVersion() {
    return latestVersion;
  }

  /** The q-quantile (0..1) of recent rows' freshness in milliseconds, or -1 before any row. */
  long freshnessQuantileMillis(double q) {
    if (recentFreshnessMillis.isEmpty()) {
      return -1;
    }
    long[] sorted = recentFreshnessMillis.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
}
