package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.online.OnlineWriteListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freshness per contract and sink as the job measures it: from the Delta sink's commits and the
 * online sink's acknowledgements, against each contract's own SLA.
 */
class FreshnessListenersTest {

  @TempDir Path tmp;

  @Test
  void deltaCommitsCountRowsPerContractAndThoseWithinItsSla() throws Exception {
    List<Contract> contracts = contracts();
    RecordedCalls next = new RecordedCalls();
    DeltaCommitListener listener =
        InstantiationUtil.clone(new DeltaFreshnessListener(contracts, next));
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    listener.open(metrics);

    TreeMap<Long, Long> rowsByEventTime = new TreeMap<>();
    rowsByEventTime.put(10_000L, 3L); // committed 4 s later: within the 5 s SLA
    rowsByEventTime.put(4_000L, 2L); // 10 s later: outside
    listener.beforeCommit("fast_table", 7);
    listener.afterCommit(new DeltaCommit("fast_table", 7, 3, 5, 14_000L, rowsByEventTime));

    String delta = "contract=fast/sink=delta/";
    assertThat(metrics.count(delta + "rowsWritten")).isEqualTo(5);
    assertThat(metrics.count(delta + "rowsWithinSla")).isEqualTo(3);
    assertThat(metrics.count(delta + "freshnessMs")).isEqualTo(5);
    assertThat(metrics.histogram(delta + "freshnessMs").getStatistics().getMax()).isEqualTo(10_000);
    assertThat(metrics.histogram(delta + "freshnessMs").getStatistics().getMin()).isEqualTo(4_000);
    assertThat(metrics.count("contract=slow_v2/sink=delta/rowsWritten"))
        .as("registered before its first commit")
        .isZero();
    assertThat(next.calls).containsExactly("open", "before fast_table 7", "after fast_table 7 v3");
  }

  @Test
  void theSameFreshnessIsWithinTheSlaOfAContractWithALongerOne() throws Exception {
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    DeltaCommitListener listener =
        new DeltaFreshnessListener(contracts(), DeltaCommitListener.NONE);
    listener.open(metrics);

    TreeMap<Long, Long> rows = new TreeMap<>();
    rows.put(0L, 4L);
    listener.afterCommit(new DeltaCommit("slow_table_v2", 1, 0, 4, 50_000L, rows));

    assertThat(metrics.count("contract=slow_v2/sink=delta/rowsWithinSla"))
        .as("50 s within the 1 min SLA")
        .isEqualTo(4);
  }

  @Test
  void onlineAcknowledgementsCountPerContractOfTheirFeatureView() throws Exception {
    RecordedAcknowledgements next = new RecordedAcknowledgements();
    OnlineFreshnessListener listener =
        InstantiationUtil.clone(new OnlineFreshnessListener(contracts(), next));
    RecordingMetricGroup metrics = new RecordingMetricGroup();
    listener.open(metrics);

    listener.written("fast_view", 1_000L, 3_000L);
    listener.written("fast_view", 1_000L, 9_000L);
    listener.written("unknown_view", 1_000L, 2_000L);

    String online = "contract=fast/sink=online/";
    assertThat(metrics.count(online + "rowsWritten")).isEqualTo(2);
    assertThat(metrics.count(online + "rowsWithinSla")).isEqualTo(1);
    assertThat(metrics.histogram(online + "freshnessMs").getStatistics().getMax()).isEqualTo(8_000);
    assertThat(metrics.has("contract=slow_v2/sink=online/rowsWritten"))
        .as("a contract not served online has no online metrics")
        .isFalse();
    assertThat(next.calls)
        .containsExactly(
            "open", "fast_view 1000 3000", "fast_view 1000 9000", "unknown_view 1000 2000");
  }

  /** fast: SLA 5 s, served online as fast_view; slow (version 2): SLA 1 min, offline only. */
  private List<Contract> contracts() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("contracts"));
    Files.writeString(
        dir.resolve("fast.yaml"),
        """
        name: fast
        version: 1
        owner: test
        description: plays per minute
        source: { stream: behaviour }
        entity: { name: user, keys: [{ field: user_id, type: string }] }
        features:
          - { name: plays_1m, type: long, aggregation: count, window: { type: tumbling, size: 1m } }
        state_ttl: 10m
        freshness_sla: 5s
        online: { enabled: true, feature_view: fast_view }
        online_ttl: 1h
        serving_max_age: 30m
        offline: { table: fast_table }
        """);
    Files.writeString(
        dir.resolve("slow.yaml"),
        """
        name: slow
        version: 2
        owner: test
        description: plays per hour
        source: { stream: behaviour }
        entity: { name: user, keys: [{ field: user_id, type: string }] }
        features:
          - { name: plays_1h, type: long, aggregation: count, window: { type: tumbling, size: 1h } }
        state_ttl: 2h
        freshness_sla: 1m
        offline: { table: slow_table }
        """);
    return new ContractLoader().loadDirectory(dir);
  }

  /** Records the calls passed on to it; static so that it survives the listener's cloning. */
  private static final class RecordedCalls implements DeltaCommitListener {
    private static final List<String> CALLS = new ArrayList<>();
    final List<String> calls = CALLS;

    RecordedCalls() {
      CALLS.clear();
    }

    @Override
    public void open(MetricGroup committerMetricGroup) {
      CALLS.add("open");
    }

    @Override
    public void beforeCommit(String table, long checkpointId) {
      CALLS.add("before " + table + " " + checkpointId);
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      CALLS.add(
          "after " + commit.table() + " " + commit.checkpointId() + " v" + commit.deltaVersion());
    }
  }

  /** Records the acknowledgements passed on to it; static to survive the listener's cloning. */
  private static final class RecordedAcknowledgements implements OnlineWriteListener {
    private static final List<String> CALLS = new ArrayList<>();
    final List<String> calls = CALLS;

    RecordedAcknowledgements() {
      CALLS.clear();
    }

    @Override
    public void open(MetricGroup writerMetricGroup) {
      CALLS.add("open");
    }

    @Override
    public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
      CALLS.add(featureView + " " + eventTimeMillis + " " + acknowledgedAtMillis);
    }
  }
}
