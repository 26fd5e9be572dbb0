package dev.freshet.delta.internal;

import java.util.List;

/**
 * Hive-style partition directories ({@code event_date=2026-11-23/}) for the data files.
 *
 * <p>Delta readers take partition values from the log's {@code partitionValues}, never from the
 * directory, so the directory only has to be unique enough and safe. delta-standalone writes add
 * paths in decoded form yet reads them back as URIs, so a path character that URI decoding changes
 * ({@code %}) or rejects (a space) would break the table; such characters are replaced by {@code _}
 * in the directory name while the log keeps the exact value.
 */
final class PartitionPaths {

  // The directory name Hive and Spark use for a null partition value.
  static final String NULL_PARTITION_DIRECTORY = "__HIVE_DEFAULT_PARTITION__";

  private PartitionPaths() {}

  /** The relative directory for these values, ending in '/', or "" for an unpartitioned table. */
  static String directoryFor(List<String> partitionColumns, List<String> partitionValues) {
    StringBuilder directory = new StringBuilder();
    for (int i = 0; i < partitionColumns.size(); i++) {
      String value = partitionValues.get(i);
      directory
          .append(partitionColumns.get(i))
          .append('=')
          .append(value == null ? NULL_PARTITION_DIRECTORY : safe(value))
          .append('/');
    }
    return directory.toString();
  }

  private static String safe(String value) {
    StringBuilder safe = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean unchangedByUriDecoding =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      safe.append(unchangedByUriDecoding ? c : '_');
    }
    return safe.toString();
  }
}
