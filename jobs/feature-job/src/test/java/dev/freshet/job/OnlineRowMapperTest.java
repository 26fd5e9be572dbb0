package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.OnlineRow;
import feast.proto.types.ValueProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineRowMapperTest {

  private static final String ONLINE_CONTRACT =
      """
      name: inode_activity
      version: 3
      owner: storage
      description: test
      source: { stream: file }
      entity:
        name: inode
        keys: [{ field: host, type: string }, { field: inode, type: long }]
      features:
        - { name: writes_1m, type: long, aggregation: count, window: { type: tumbling, size: 1m } }
        - { name: avg_size_1m, type: double, aggregation: avg, input: size, window: { type: tumbling, size: 1m } }
        - { name: top_dirs_1m, type: string_list, aggregation: top_k, k: 2, input: directory, window: { type: tumbling, size: 1m } }
      derived:
        - { name: busy, type: long, expression: "writes_1m > 10 ? 1 : 0" }
      state_ttl: 2h
      freshness_sla: 5s
      online: { enabled: true, feast_project: storage, feature_view: inode_activity_fv }
      online_ttl: 2h
      serving_max_age: 1h
      offline: { table: inode_activity }
      """;

  private static final String OFFLINE_CONTRACT =
      ONLINE_CONTRACT
          .replace("name: inode_activity\n", "name: offline_only\n")
          .replace(
              "online: { enabled: true, feast_project: storage, feature_view: inode_activity_fv }\n"
                  + "online_ttl: 2h\nserving_max_age: 1h\n",
              "")
          .replace("table: inode_activity", "table: offline_only");

  @Test
  void rowOfAnOnlineContractBecomesItsFeatureViewsValuesInFeastsEncoding(@TempDir Path dir)
      throws IOException {
    List<Contract> contracts = load(dir);
    OnlineRowMapper mapper = new OnlineRowMapper(contracts);
    String contractId = contracts.get(0).id();
    FeatureRow row =
        new FeatureRow(
            contractId,
            "h1" + ContractInputs.KEY_PART_SEPARATOR + "42",
            60_000L,
            new double[] {12, Double.NaN, Double.NaN, 1},
            new String[][] {null, null, {"/var/log", "/tmp"}, null});

    List<OnlineRow> out = map(mapper, row);

    assertThat(out).hasSize(1);
    OnlineRow online = out.get(0);
    assertThat(online.featureView).isEqualTo("inode_activity_fv");
    assertThat(online.key)
        .isEqualTo(
            FeastRedisLayout.redisKey(List.of("host", "inode"), List.of("h1", 42L), "storage"));
    assertThat(online.eventTimeMillis).isEqualTo(60_000L);
    assertThat(online.expiryMillis).isEqualTo(7_200_000L);
    assertThat(online.fields)
        .isDeepEqualTo(
            new byte[][] {
              FeastRedisLayout.featureField("inode_activity_fv", "writes_1m"),
              FeastRedisLayout.featureField("inode_activity_fv", "avg_size_1m"),
              FeastRedisLayout.featureField("inode_activity_fv", "top_dirs_1m"),
              FeastRedisLayout.featureField("inode_activity_fv", "busy")
            });
    assertThat(ValueProto.Value.parseFrom(online.values[0]).getInt64Val()).isEqualTo(12);
    assertThat(ValueProto.Value.parseFrom(online.values[1]).getValCase())
        .as("an average over no events has no value")
        .isEqualTo(ValueProto.Value.ValCase.VAL_NOT_SET);
    assertThat(ValueProto.Value.parseFrom(online.values[2]).getStringListVal().getValList())
        .containsExactly("/var/log", "/tmp");
    assertThat(ValueProto.Value.parseFrom(online.values[3]).getInt64Val()).isEqualTo(1);
  }

  @Test
  void rowsOfContractsNotServedOnlinePassNothingOn(@TempDir Path dir) throws IOException {
    List<Contract> contracts = load(dir);
    Contract offlineOnly = contracts.get(1);
    assertThat(offlineOnly.online().enabled()).isFalse();

    List<OnlineRow> out =
        map(
            new OnlineRowMapper(contracts),
            new FeatureRow(
                offlineOnly.id(),
                "h1" + ContractInputs.KEY_PART_SEPARATOR + "42",
                60_000L,
                new double[] {1, 2, Double.NaN, 0},
                new String[][] {null, null, {}, null}));

    assertThat(out).isEmpty();
    assertThat(OnlineRowMapper.anyOnline(List.of(offlineOnly))).isFalse();
    assertThat(OnlineRowMapper.anyOnline(contracts)).isTrue();
  }

  private static List<Contract> load(Path dir) throws IOException {
    Path online = Files.writeString(dir.resolve("inode_activity.yaml"), ONLINE_CONTRACT);
    Path offline = Files.writeString(dir.resolve("offline_only.yaml"), OFFLINE_CONTRACT);
    return new ContractLoader().loadFiles(List.of(online, offline));
  }

  private static List<OnlineRow> map(OnlineRowMapper mapper, FeatureRow row) {
    List<OnlineRow> out = new ArrayList<>();
    mapper.flatMap(
        row,
        new Collector<>() {
          @Override
          public void collect(OnlineRow record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out;
  }
}
