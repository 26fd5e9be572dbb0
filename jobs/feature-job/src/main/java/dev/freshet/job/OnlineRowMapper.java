package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.OnlineSink;
import dev.freshet.contract.ValueColumn;
import dev.freshet.online.FeatureViewEncoder;
import dev.freshet.online.OnlineRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the feature rows of online-enabled contracts into Feast rows for the online store; rows of
 * other contracts pass nothing on. A contract becomes one Feast feature view: its {@code online}
 * project and feature view name, the entity key fields as join keys, its features then its derived
 * features as Feast features, the feature time (window end) as the event time, and {@code
 * online_ttl} as the Redis expiry. {@code featurectl register} exports the same mapping as a Feast
 * registry.
 */
public class OnlineRowMapper implements FlatMapFunction<FeatureRow, OnlineRow> {

  private final Map<String, OnlineView> viewsByContractId = new HashMap<>();

  public OnlineRowMapper(List<Contract> contracts) {
    for (Contract contract : contracts) {
      OnlineSink online = contract.online();
      if (online.enabled()) {
        viewsByContractId.put(contract.id(), OnlineView.of(contract));
      }
    }
  }

  /** Whether any of {@code contracts} is served online. */
  public static boolean anyOnline(List<Contract> contracts) {
    return contracts.stream().anyMatch(contract -> contract.online().enabled());
  }

  @Override
  public void flatMap(FeatureRow row, Collector<OnlineRow> out) {
    OnlineView view = viewsByContractId.get(row.contract);
    if (view == null) {
      return;
    }
    Object[] values = new Object[view.valueTypes.length];
    for (int v = 0; v < values.length; v++) {
      values[v] = FeatureRowValues.value(view.valueTypes[v], row, v);
    }
    out.collect(
        view.encoder.encode(
            List.of(FeatureRowValues.keyValues(view.keys, row)), row.featureTime, values));
  }

  private record OnlineView(
      List<EntityKey> keys, FeatureType[] valueTypes, FeatureViewEncoder encoder)
      implements java.io.Serializable {

    static OnlineView of(Contract contract) {
      List<ValueColumn> columns = contract.valueColumns();
      List<EntityKey> keys = contract.entity().keys();
      OnlineSink online = contract.online();
      return new OnlineView(
          keys,
          columns.stream().map(ValueColumn::type).toArray(FeatureType[]::new),
          new FeatureViewEncoder(
              online.feastProject(),
              online.featureView(),
              keys.stream().map(EntityKey::field).toList(),
              columns.stream().map(ValueColumn::name).toList(),
              online.onlineTtl()));
    }
  }
}
