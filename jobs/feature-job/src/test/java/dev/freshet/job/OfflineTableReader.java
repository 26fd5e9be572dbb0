package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.ValueColumn;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** Reads a contract's offline table back through delta-standalone, as any Delta reader would. */
final class OfflineTableReader {

  private OfflineTableReader() {}

  static List<FeatureRow> read(Path deltaBasePath, Contract contract) throws IOException {
    DeltaLog log =
        DeltaLog.forTable(
            new Configuration(), deltaBasePath.resolve(contract.tableName()).toString());
    Snapshot snapshot = log.update();
    List<FeatureRow> rows = new ArrayList<>();
    if (snapshot.getVersion() < 0) {
      return rows;
    }
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        List<String> names = contract.valueColumns().stream().map(ValueColumn::name).toList();
        List<FeatureType> types = contract.valueColumns().stream().map(ValueColumn::type).toList();
        double[] values = new double[names.size()];
        // Laid out as the job lays out FeatureRow: NaN in values and the list in lists for a
        // string-list feature, and no lists at all for a contract without one.
        String[][] lists =
            types.contains(FeatureType.STRING_LIST) ? new String[values.length][] : null;
        for (int v = 0; v < values.length; v++) {
          if (types.get(v) == FeatureType.STRING_LIST) {
            values[v] = Double.NaN;
            lists[v] =
                record.isNullAt(names.get(v))
                    ? null
                    : record.<String>getList(names.get(v)).toArray(String[]::new);
          } else if (record.isNullAt(names.get(v))) {
            values[v] = Double.NaN;
          } else if (types.get(v) == FeatureType.LONG) {
            values[v] = record.getLong(names.get(v));
          } else {
            values[v] = record.getDouble(names.get(v));
          }
        }
        List<String> keyParts = new ArrayList<>();
        for (EntityKey key : contract.entity().keys()) {
          keyParts.add(
              key.type() == KeyType.LONG
                  ? Long.toString(record.getLong(key.field()))
                  : record.getString(key.field()));
        }
        rows.add(
            new FeatureRow(
                contract.id(),
                String.join(ContractInputs.KEY_PART_SEPARATOR, keyParts),
                record.getLong(OfflineRowMapper.FEATURE_TIME_COLUMN),
                values,
                lists));
      }
    }
    return rows;
  }

  /** Every data file path added in any version of the log, duplicates included. */
  static List<String> addedPaths(Path deltaBasePath, Contract contract) {
    DeltaLog log =
        DeltaLog.forTable(
            new Configuration(), deltaBasePath.resolve(contract.tableName()).toString());
    List<String> paths = new ArrayList<>();
    log.getChanges(0, true)
        .forEachRemaining(
            version ->
                version.getActions().stream()
                    .filter(AddFile.class::isInstance)
                    .map(action -> ((AddFile) action).getPath())
                    .forEach(paths::add));
    return paths;
  }
}
