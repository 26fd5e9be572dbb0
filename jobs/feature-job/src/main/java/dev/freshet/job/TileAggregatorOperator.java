package dev.freshet.job;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a {@link TileAggregator} and counts, per contract, the keys (entities) that hold any of its
 * state: the gauge {@value #STATE_KEYS}, what memory the contract's state takes in entities. The
 * count walks the state backend's keys on the task thread every {@link #COUNT_INTERVAL_MILLIS}, so
 * it includes entries that have expired but are not removed yet: memory still in use.
 */
final class TileAggregatorOperator extends KeyedProcessOperator<String, FeatureInput, FeatureRow> {

  /** Gauge per contract: keys holding state of the contract in this subtask. */
  static final String STATE_KEYS = "stateKeys";

  static final long COUNT_INTERVAL_MILLIS = 5_000;

  private final List<ContractPlan> plans;

  private transient volatile Map<String, Long> keysPerContract;

  TileAggregatorOperator(List<ContractPlan> plans) {
    super(new TileAggregator(plans));
    this.plans = plans;
  }

  @Override
  public void open() throws Exception {
    super.open();
    keysPerContract = Map.of();
    for (ContractPlan plan : plans) {
      String contract = plan.name;
      ContractMetrics.contractGroup(getMetricGroup(), contract)
          .<Long, Gauge<Long>>gauge(STATE_KEYS, () -> keysPerContract.getOrDefault(contract, 0L));
    }
    countKeys();
    getProcessingTimeService()
        .scheduleWithFixedDelay(time -> countKeys(), COUNT_INTERVAL_MILLIS, COUNT_INTERVAL_MILLIS);
  }

  /** Counts on the task thread: a heap state table must not be read while the task writes it. */
  void countKeys() throws Exception {
    KeyedStateBackend<String> backend = getKeyedStateBackend();
    Set<String> keys = new HashSet<>();
    for (String stateName : TileAggregator.stateNames(plans)) {
      try (Stream<String> keysOfState = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
        keysOfState.forEach(keys::add);
      }
    }
    Map<String, Long> counts = new HashMap<>();
    for (String key : keys) {
      counts.merge(FeatureInput.contractOf(key), 1L, Long::sum);
    }
    keysPerContract = counts;
  }

  /** The keys counted last, per contract. */
  Map<String, Long> keysPerContract() {
    return keysPerContract;
  }
}
