package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * Offline freshness per contract: each Delta commit makes its rows readable, so a row's freshness
 * is the commit's time minus the row's event time. Passes every call on to {@code next}, the
 * listener of the job's configuration.
 */
final class DeltaFreshnessListener implements DeltaCommitListener {

  private static final long serialVersionUID = 1L;

  private final Map<String, FreshnessTarget> targetsByTable = new HashMap<>();
  private final DeltaCommitListener next;
  private transient Map<String, ContractMetrics.SinkFreshness> freshnessByTable;

  DeltaFreshnessListener(List<Contract> contracts, DeltaCommitListener next) {
    contracts.forEach(c -> targetsByTable.put(c.tableName(), FreshnessTarget.of(c)));
    this.next = next;
  }

  @Override
  public void open(MetricGroup committerMetricGroup) {
    Map<String, ContractMetrics.SinkFreshness> freshness = new HashMap<>();
    targetsByTable.forEach(
        (table, target) ->
            freshness.put(
                table,
                new ContractMetrics.SinkFreshness(
                    committerMetricGroup,
                    target.contractId(),
                    ContractMetrics.DELTA,
                    target.slaMillis())));
    this.freshnessByTable = freshness;
    next.open(committerMetricGroup);
  }

  @Override
  public void beforeCommit(String table, long checkpointId) {
    next.beforeCommit(table, checkpointId);
  }

  @Override
  public void afterCommit(DeltaCommit commit) {
    ContractMetrics.SinkFreshness freshness = freshnessByTable.get(commit.table());
    if (freshness != null) {
      commit
          .rowsByEventTime()
          .forEach(
              (eventTime, rows) ->
                  freshness.available(eventTime, commit.committedAtMillis(), rows));
    }
    next.afterCommit(commit);
  }
}
