package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.ValueColumn;
import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns feature rows into rows of the contract's offline table. Every table has the entity key
 * columns (named after the key fields), {@value #FEATURE_TIME_COLUMN} (window end, epoch millis),
 * one nullable column per feature, {@value #EVENT_DATE_COLUMN} (UTC date of the feature time,
 * yyyy-MM-dd) and, when the table is partitioned by it, {@value #EVENT_HOUR_COLUMN} (UTC hour of
 * the feature time, 00 to 23). The partition columns are the contract's.
 */
public class OfflineRowMapper implements MapFunction<FeatureRow, DeltaRow> {

  public static final String FEATURE_TIME_COLUMN = "feature_time";
  public static final String EVENT_DATE_COLUMN = "event_date";
  public static final String EVENT_HOUR_COLUMN = "event_hour";

  private final Map<String, Contract> contractsById = new HashMap<>();

  /** Per contract id, the type of each value column: the features, then the derived ones. */
  private final Map<String, FeatureType[]> valueTypesById = new HashMap<>();

  public OfflineRowMapper(List<Contract> contracts) {
    for (Contract contract : contracts) {
      contractsById.put(contract.id(), contract);
      valueTypesById.put(
          contract.id(),
          contract.valueColumns().stream().map(ValueColumn::type).toArray(FeatureType[]::new));
    }
  }

  public static List<DeltaTableSchema> tableSchemas(List<Contract> contracts) {
    return contracts.stream().map(OfflineRowMapper::tableSchema).toList();
  }

  static DeltaTableSchema tableSchema(Contract contract) {
    List<DeltaColumn> columns = new ArrayList<>();
    for (EntityKey key : contract.entity().keys()) {
      DeltaColumnType type =
          key.type() == KeyType.LONG ? DeltaColumnType.LONG : DeltaColumnType.STRING;
      columns.add(new DeltaColumn(key.field(), type, false));
    }
    columns.add(new DeltaColumn(FEATURE_TIME_COLUMN, DeltaColumnType.LONG, false));
    for (ValueColumn value : contract.valueColumns()) {
      columns.add(new DeltaColumn(value.name(), columnType(value.type()), true));
    }
    columns.add(new DeltaColumn(EVENT_DATE_COLUMN, DeltaColumnType.STRING, false));
    if (hasHourColumn(contract)) {
      columns.add(new DeltaColumn(EVENT_HOUR_COLUMN, DeltaColumnType.STRING, false));
    }
    return DeltaTableSchema.of(contract.tableName(), columns, contract.offlinePartitionColumns());
  }

  private static DeltaColumnType columnType(FeatureType type) {
    return switch (type) {
      case LONG -> DeltaColumnType.LONG;
      case DOUBLE -> DeltaColumnType.DOUBLE;
      case STRING_LIST -> DeltaColumnType.STRING_LIST;
    };
  }

  private static boolean hasHourColumn(Contract contract) {
    return contract.offlinePartitionColumns().contains(EVENT_HOUR_COLUMN);
  }

  @Override
  public DeltaRow map(FeatureRow row) {
    Contract contract = contractsById.get(row.contract);
    List<EntityKey> keys = contract.entity().keys();
    FeatureType[] valueTypes = valueTypesById.get(row.contract);
    boolean hourColumn = hasHourColumn(contract);
    Object[] values = new Object[keys.size() + valueTypes.length + (hourColumn ? 3 : 2)];
    int column = 0;
    for (Object keyValue : FeatureRowValues.keyValues(keys, row)) {
      values[column++] = keyValue;
    }
    values[column++] = row.featureTime;
    for (int v = 0; v < valueTypes.length; v++) {
      values[column++] = FeatureRowValues.value(valueTypes[v], row, v);
    }
    ZonedDateTime featureTime = Instant.ofEpochMilli(row.featureTime).atZone(ZoneOffset.UTC);
    values[column++] = featureTime.toLocalDate().toString();
    if (hourColumn) {
      values[column] = String.format(Locale.ROOT, "%02d", featureTime.getHour());
    }
    return DeltaRow.of(contract.tableName(), values);
  }
}
