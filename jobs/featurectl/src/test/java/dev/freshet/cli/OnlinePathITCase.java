package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.FeatureType;
import dev.freshet.contract.ValueColumn;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.EventStream;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import dev.freshet.serving.FeatureServer;
import dev.freshet.testsupport.KafkaRecords;
import dev.freshet.testsupport.KafkaTestBroker;
import dev.freshet.testsupport.RedisTestServer;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.types.ValueProto;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online path end to end, as a model sees it: generated events → Kafka → the feature job on a
 * MiniCluster → Redis → the feature server → Feast's own Java client. Every online value must equal
 * the entity's latest row in the offline Delta table (whose rows FeatureJobITCase checks against
 * features computed independently from the events), with Feast's statuses.
 */
class OnlinePathITCase {

  private static final int USERS = 40;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
  private static final RedisTestServer REDIS = RedisTestServer.shared();

  @TempDir Path tmp;

  @Test
  void feastClientReadsTheLatestOfflineRowOfEveryEntityWithFeastsStatuses() throws Exception {
    List<Contract> contracts = contracts();
    Contract listening = contracts.get(1);
    Contract recentPlays = contracts.get(0);
    assertThat(listening.name()).isEqualTo("user_listening");
    // Events from 40 minutes ago: user_listening's hourly windows end after now (served within
    // its 1h max age); recent_plays' minute windows ended half an hour ago (past its 10m max age).
    long start = Instant.now().minus(Duration.ofMinutes(40)).toEpochMilli() / 60_000 * 60_000;
    Path delta = tmp.resolve("delta");
    runJob(contracts, start, delta);

    Map<String, OfflineRow> latest = latestRowPerUser(delta, listening);
    assertThat(latest).as("users with rows").hasSize(USERS);

    try (FeatureServer server =
            FeatureServer.builder()
                .registry(FeastRegistryExport.export(contracts, delta, Instant.now()))
                .redisUri(REDIS.uri())
                .project(listening.online().feastProject())
                .port(0)
                .build()
                .start();
        FeastClient client = FeastClient.create("127.0.0.1", server.port())) {
      List<String> users = new ArrayList<>(latest.keySet());
      users.add("user-unknown");
      List<String> refs = featureRefs(listening);
      refs.add("recent_plays:plays_1m");
      List<Row> rows =
          client.getOnlineFeatures(
              refs, users.stream().map(user -> Row.create().set("user_id", user)).toList());

      assertThat(rows).hasSize(users.size());
      int compared = 0;
      for (int i = 0; i < USERS; i++) {
        Row row = rows.get(i);
        OfflineRow offline = latest.get(users.get(i));
        for (int f = 0; f < offline.values.size(); f++) {
          String ref = refs.get(f);
          Object expected = offline.values.get(f);
          assertThat(row.getStatus(ref))
              .as("%s of %s", ref, users.get(i))
              .isEqualTo(expected == null ? FieldStatus.NULL_VALUE : FieldStatus.PRESENT);
          assertThat(javaValue(row.getFields().get(ref), offline.types.get(f)))
              .as("%s of %s", ref, users.get(i))
              .isEqualTo(expected);
          compared++;
        }
        assertThat(row.getStatus("recent_plays:plays_1m"))
            .as("a value older than its view's max age")
            .isEqualTo(FieldStatus.OUTSIDE_MAX_AGE);
      }
      assertThat(compared).isEqualTo(USERS * latest.values().iterator().next().values.size());
      Row unknown = rows.get(USERS);
      for (String ref : refs) {
        assertThat(unknown.getStatus(ref)).as(ref).isEqualTo(FieldStatus.NOT_FOUND);
      }
    }
  }

  /** recent_plays (a short-window contract with a 10 minute max age) and user_listening. */
  private Path contractsDir() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("contracts"));
    Files.copy(Path.of("../../contracts/user_listening.yaml"), dir.resolve("user_listening.yaml"));
    Files.writeString(
        dir.resolve("recent_plays.yaml"),
        """
        name: recent_plays
        version: 1
        owner: test
        description: plays per minute, served for ten minutes
        source: { stream: behaviour }
        entity: { name: user, keys: [{ field: user_id, type: string }] }
        features:
          - name: plays_1m
            type: long
            aggregation: count
            filter: action == 'play'
            window: { type: tumbling, size: 1m }
        state_ttl: 10m
        freshness_sla: 5s
        online: { enabled: true }
        online_ttl: 1h
        serving_max_age: 10m
        offline: { table: recent_plays }
        """);
    return dir;
  }

  private List<Contract> contracts() throws Exception {
    List<Contract> contracts = new ContractLoader().loadDirectory(contractsDir());
    assertThat(contracts)
        .extracting(Contract::name)
        .containsExactly("recent_plays", "user_listening");
    return contracts;
  }

  private static void runJob(List<Contract> contracts, long start, Path delta) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String behaviourTopic = "behaviour-" + id;
    String fileTopic = "file-" + id;
    String deadLetterTopic = "dead-letters-" + id;
    BROKER.createTopics(Map.of(behaviourTopic, 2, fileTopic, 1, deadLetterTopic, 1));
    EventGenerator generator =
        EventGenerator.builder().seed(7).users(USERS).fileObservationsPerSecond(0).build();
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      records.addAll(generator.next(start + i * 100L));
    }
    KafkaRecords.produce(
        BROKER.bootstrapServers(),
        records.stream()
            .map(
                r ->
                    new ProducerRecord<>(
                        r.stream() == EventStream.BEHAVIOUR ? behaviourTopic : fileTopic,
                        r.key().getBytes(StandardCharsets.UTF_8),
                        r.value()))
            .toList());

    Configuration conf = new Configuration();
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(200);
    FeatureJob.build(
        env,
        contracts,
        FeatureJobConfig.builder()
            .bootstrapServers(BROKER.bootstrapServers())
            .behaviourTopic(behaviourTopic)
            .fileTopic(fileTopic)
            .deadLetterTopic(deadLetterTopic)
            .consumerGroup("it-" + id)
            .deltaBasePath(delta.toString())
            .redisUri(REDIS.uri())
            .boundedInput(true)
            .build());
    env.execute("online path under test");
  }

  private static List<String> featureRefs(Contract contract) {
    List<String> refs = new ArrayList<>();
    contract
        .valueColumns()
        .forEach(v -> refs.add(contract.online().featureView() + ":" + v.name()));
    return refs;
  }

  /** An offline row's feature values as Java values: Long, Double, List of String, or null. */
  private record OfflineRow(long featureTime, List<Object> values, List<FeatureType> types) {}

  private static Map<String, OfflineRow> latestRowPerUser(Path delta, Contract contract)
      throws Exception {
    Snapshot snapshot =
        DeltaLog.forTable(
                new org.apache.hadoop.conf.Configuration(),
                delta.resolve(contract.tableName()).toString())
            .update();
    List<String> names = contract.valueColumns().stream().map(ValueColumn::name).toList();
    List<FeatureType> types = contract.valueColumns().stream().map(ValueColumn::type).toList();
    Map<String, OfflineRow> latest = new HashMap<>();
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        long featureTime = record.getLong("feature_time");
        String user = record.getString("user_id");
        OfflineRow current = latest.get(user);
        if (current != null && current.featureTime() >= featureTime) {
          continue;
        }
        List<Object> values = new ArrayList<>();
        for (int f = 0; f < names.size(); f++) {
          String name = names.get(f);
          values.add(
              record.isNullAt(name)
                  ? null
                  : switch (types.get(f)) {
                    case LONG -> record.getLong(name);
                    case DOUBLE -> record.getDouble(name);
                    case STRING_LIST -> List.copyOf(record.<String>getList(name));
                  });
        }
        latest.put(user, new OfflineRow(featureTime, values, types));
      }
    }
    return latest;
  }

  private static Object javaValue(ValueProto.Value value, FeatureType type) {
    if (value == null || value.getValCase() == ValueProto.Value.ValCase.VAL_NOT_SET) {
      return null;
    }
    return switch (type) {
      case LONG -> value.getInt64Val();
      case DOUBLE -> value.getDoubleVal();
      case STRING_LIST -> List.copyOf(value.getStringListVal().getValList());
    };
  }
}
