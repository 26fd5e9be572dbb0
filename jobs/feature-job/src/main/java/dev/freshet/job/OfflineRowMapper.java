package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.DerivedFeature;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.Feature;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.KeyType;
import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaColumnType;
import dev.freshet.delta.DeltaRow;
import dev.freshet.delta.DeltaTableSchema;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns feature rows into rows of the contract's offline table. Every table has the entity key
 * columns (named after the key fields), {@value #FEATURE_TIME_COLUMN} (window end, epoch millis),
 * one nullable column per feature, and the partition column {@value #EVENT_DATE_COLUMN} (UTC date
 * of the feature time, yyyy-MM-dd).
 */
public class OfflineRowMapper implements MapFunction<FeatureRow, DeltaRow> {

  public static final String FEATURE_TIME_COLUMN = "feature_time";
  public static final String EVENT_DATE_COLUMN = "event_date";

  private final Map<String, Contract> contractsById = new HashMap<>();

  /** Per contract id, the type of each value column: the features, then the derived ones. */
  private final Map<String, FeatureType[]> valueTypesById = new HashMap<>();

  public OfflineRowMapper(List<Contract> contracts) {
    for (Contract contract : contracts) {
      contractsById.put(contract.id(), contract);
      List<FeatureType> valueTypes = new ArrayList<>();
      contract.features().forEach(feature -> valueTypes.add(feature.type()));
      contract.derived().forEach(derived -> valueTypes.add(derived.type()));
      valueTypesById.put(contract.id(), valueTypes.toArray(FeatureType[]::new));
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
    for (Feature feature : contract.features()) {
      DeltaColumnType type =
          feature.type() == FeatureType.LONG ? DeltaColumnType.LONG : DeltaColumnType.DOUBLE;
      columns.add(new DeltaColumn(feature.name(), type, true));
    }
    for (DerivedFeature derived : contract.derived()) {
      DeltaColumnType type =
          derived.type() == FeatureType.LONG ? DeltaColumnType.LONG : DeltaColumnType.DOUBLE;
      columns.add(new DeltaColumn(derived.name(), type, true));
    }
    columns.add(new DeltaColumn(EVENT_DATE_COLUMN, DeltaColumnType.STRING, false));
    return DeltaTableSchema.of(contract.tableName(), columns, List.of(EVENT_DATE_COLUMN));
  }

  @Override
  public DeltaRow map(FeatureRow row) {
    Contract contract = contractsById.get(row.contract);
    List<EntityKey> keys = contract.entity().keys();
    FeatureType[] valueTypes = valueTypesById.get(row.contract);
    Object[] values = new Object[keys.size() + valueTypes.length + 2];
    String[] keyParts = row.entityKey.split(ContractInputs.KEY_PART_SEPARATOR, -1);
    int column = 0;
    for (int k = 0; k < keys.size(); k++) {
      values[column++] =
          keys.get(k).type() == KeyType.LONG ? (Object) Long.parseLong(keyParts[k]) : keyParts[k];
    }
    values[column++] = row.featureTime;
    for (int v = 0; v < valueTypes.length; v++) {
      double value = row.values[v];
      if (Double.isNaN(value)) {
        values[column++] = null;
      } else if (valueTypes[v] == FeatureType.LONG) {
        values[column++] = (long) value;
      } else {
        values[column++] = value;
      }
    }
    values[column] = eventDate(row.featureTime);
    return DeltaRow.of(contract.tableName(), values);
  }

  static String eventDate(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }
}
