package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.online.OnlineWriteListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * Online freshness per contract: a row is servable once Redis acknowledged it, so its freshness is
 * the acknowledgement's time minus the row's event time. Rows skipped as older than the stored
 * value made nothing servable and are not counted. Passes every call on to {@code next}, the
 * listener of the job's configuration.
 */
final class OnlineFreshnessListener implements OnlineWriteListener {

  private static final long serialVersionUID = 1L;

  private final Map<String, FreshnessTarget> targetsByFeatureView = new HashMap<>();
  private final OnlineWriteListener next;
  private transient Map<String, ContractMetrics.SinkFreshness> freshnessByFeatureView;

  OnlineFreshnessListener(List<Contract> contracts, OnlineWriteListener next) {
    this.next = next;
    contracts.stream()
        .filter(c -> c.online().enabled())
        .forEach(c -> targetsByFeatureView.put(c.online().featureView(), FreshnessTarget.of(c)));
  }

  @Override
  public void open(MetricGroup writerMetricGroup) {
    Map<String, ContractMetrics.SinkFreshness> freshness = new HashMap<>();
    targetsByFeatureView.forEach(
        (featureView, target) ->
            freshness.put(
                featureView,
                new ContractMetrics.SinkFreshness(
                    writerMetricGroup,
                    target.contractId(),
                    ContractMetrics.ONLINE,
                    target.slaMillis())));
    this.freshnessByFeatureView = freshness;
    next.open(writerMetricGroup);
  }

  @Override
  public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
    ContractMetrics.SinkFreshness freshness = freshnessByFeatureView.get(featureView);
    if (freshness != null) {
      freshness.available(eventTimeMillis, acknowledgedAtMillis, 1);
    }
    next.written(featureView, eventTimeMillis, acknowledgedAtMillis);
  }
}
