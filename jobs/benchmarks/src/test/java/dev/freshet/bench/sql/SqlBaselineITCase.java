package dev.freshet.bench.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.bench.sql.SqlBaseline.Result;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.Feature;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.job.FeatureJob;
import dev.freshet.job.FeatureJobConfig;
import dev.freshet.testsupport.ConsumedRecord;
import dev.freshet.testsupport.KafkaRecords;
import dev.freshet.testsupport.RealKafkaExtension;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Snapshot;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.data.RowRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.FormatDescriptor;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL baseline computes the features our job computes: both run over the same generated
 * behaviour events on a real broker, and every value the job writes to its Delta table is compared
 * with the one SQL computed for the same user and window end.
 */
class SqlBaselineITCase {

  /** 00:40 UTC: 40 minutes of events cross an hour, so each user has two tumbling 1h windows. */
  private static final long START = Instant.parse("2026-01-01T00:40:00Z").toEpochMilli();

  /** One listener action every 500 ms of event time: 40 minutes. */
  private static final int ACTIONS = 4_800;

  private static final long ACTION_INTERVAL_MILLIS = 500;

  /** About 3 actions per user and minute: most 10 s windows of a user are empty, most 10 m not. */
  private static final int USERS = 40;

  private static final Contract USER_LISTENING =
      new ContractLoader()
          .loadFiles(List.of(Path.of("../../contracts/user_listening.yaml")))
          .get(0);

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              // Both jobs at once, each at parallelism 2
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  /**
   * Both jobs read the whole topic and stop at its end, where each fires every window still open
   * (the watermark jumps to its maximum): SQL every window that holds events, our job every window
   * end until its values are back to empty. So even the last windows compare, and nothing is left
   * out.
   */
  @Test
  void computesTheFeaturesOurJobWrites() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    Topics topics = new Topics(id);
    produceBehaviourEvents(topics.behaviour);

    // Our job runs while the planner plans SQL: the slowest part of each overlaps the other.
    JobClient ourJob = startFeatureJob(topics, tmp.resolve("delta"));
    JobClient sqlJob = startSqlBaseline(topics);
    sqlJob.getJobExecutionResult().get(JOB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    ourJob.getJobExecutionResult().get(JOB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(sourceRecordsOut(sqlJob.getJobID()))
        .as("records out of the SQL job's operators named 'Source: ...'")
        .isEqualTo(ACTIONS);
    // SQL counts an event behind the watermark in every window still open, however late; our job
    // dead-letters one that is allowed_lateness (2 s) or more behind, even if some of its windows
    // are open. Listener clocks jitter by less than the watermark's 1 s delay, so no event is late
    // and the two must agree everywhere.
    assertThat(KafkaRecords.readAll(KAFKA.bootstrapServers(), topics.deadLetters, READ_TIMEOUT))
        .as("dead letters of our job (late events)")
        .isEmpty();

    Map<String, Map<WindowKey, Object>> sql = sqlValues(topics.results);
    List<String> featureNames = USER_LISTENING.features().stream().map(Feature::name).toList();
    assertThat(sql.keySet()).as("features SQL computed").containsAll(featureNames);
    // Our distinct_count is an HLL sketch, exact up to 384 values and an estimate beyond.
    assertThat(sql.get("distinct_artists_1h").values())
        .as("distinct artists per user and hour")
        .allMatch(count -> ((Number) count).longValue() <= 384);
    Map<String, Integer> comparisons = new TreeMap<>();
    Map<String, Integer> withSqlRow = new TreeMap<>();
    List<String> mismatches = new ArrayList<>();
    for (OurRow row : readDeltaRows(tmp.resolve("delta"))) {
      for (Feature feature : USER_LISTENING.features()) {
        if (row.featureTime % feature.window().hopMillis() != 0) {
          // Not recomputed at this window end: the row carries the value of an earlier one.
          continue;
        }
        WindowKey key = new WindowKey(row.userId, row.featureTime);
        Map<WindowKey, Object> sqlFeature = sql.get(feature.name());
        // SQL has rows only for windows with events; our job's empty value stands for the others.
        boolean sqlRow = sqlFeature.containsKey(key);
        Object expected = sqlRow ? sqlFeature.get(key) : emptyWindowValue(feature);
        Object actual = row.values.get(feature.name());
        comparisons.merge(feature.name(), 1, Integer::sum);
        withSqlRow.merge(feature.name(), sqlRow ? 1 : 0, Integer::sum);
        if (!sameValue(expected, actual)) {
          mismatches.add(
              String.format(
                  "%s of %s: ours %s, SQL %s",
                  feature.name(), key, actual, sqlRow ? expected : "no row (empty window)"));
        }
      }
    }

    assertThat(mismatches.size())
        .as(
            "values of our job that differ from SQL's, the first: %s",
            mismatches.subList(0, Math.min(20, mismatches.size())))
        .isZero();
    assertThat(withSqlRow.values())
        .as("comparisons with a value SQL computed per feature %s", withSqlRow)
        .hasSize(featureNames.size())
        .allMatch(count -> count >= USERS);
    assertThat(comparisons.values().stream().mapToInt(Integer::intValue).sum())
        .as("comparisons per feature %s", comparisons)
        .isGreaterThan(10_000);
  }

  /** The topics of one run, created on the broker. */
  private static final class Topics {
    final String behaviour;
    final String file;
    final String deadLetters;
    final Map<Result, String> results = new EnumMap<>(Result.class);

    Topics(String id) {
      behaviour = "behaviour-" + id;
      file = "file-" + id;
      deadLetters = "dead-letters-" + id;
      Map<String, Integer> partitions = new HashMap<>();
      // Two partitions, read by two source subtasks in each job: watermarks per partition.
      partitions.put(behaviour, 2);
      partitions.put(file, 1);
      partitions.put(deadLetters, 1);
      for (Result result : Result.values()) {
        results.put(result, "sql-" + result.tableName() + "-" + id);
        partitions.put(results.get(result), 1);
      }
      KAFKA.broker().createTopics(partitions);
    }
  }

  /** Generated behaviour events, keyed by user, 500 ms apart from {@link #START}. */
  private static void produceBehaviourEvents(String topic) {
    EventGenerator generator =
        EventGenerator.builder()
            .seed(8)
            .users(USERS)
            .fileObservationsPerSecond(0)
            .malformedShare(0)
            .build();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < ACTIONS; i++) {
      for (GeneratedRecord record : generator.next(START + i * ACTION_INTERVAL_MILLIS)) {
        records.add(
            new ProducerRecord<>(
                topic, record.key().getBytes(StandardCharsets.UTF_8), record.value()));
      }
    }
    assertThat(records).as("one behaviour record per action").hasSize(ACTIONS);
    KafkaRecords.produce(KAFKA.bootstrapServers(), records);
  }

  /** Starts the baseline over the whole topic, each result into its topic as JSON. */
  private static JobClient startSqlBaseline(Topics topics) throws Exception {
    StreamExecutionEnvironment env = environment();
    SqlBaseline.addTo(
        env,
        new SqlBaseline.Input(
            KAFKA.bootstrapServers(), topics.behaviour, "sql-" + topics.behaviour, true),
        result ->
            TableDescriptor.forConnector("kafka")
                .option("topic", topics.results.get(result))
                .option("properties.bootstrap.servers", KAFKA.bootstrapServers())
                .format(
                    FormatDescriptor.forFormat("json")
                        .option("timestamp-format.standard", "ISO-8601")
                        .build())
                .build());
    return env.executeAsync("SQL baseline under test");
  }

  /** Starts our job with only user_listening over the whole topic, into Delta tables. */
  private static JobClient startFeatureJob(Topics topics, Path deltaPath) throws Exception {
    StreamExecutionEnvironment env = environment();
    // The Delta sink commits at checkpoints.
    env.enableCheckpointing(200);
    FeatureJob.build(
        env,
        List.of(USER_LISTENING),
        FeatureJobConfig.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .behaviourTopic(topics.behaviour)
            .fileTopic(topics.file)
            .deadLetterTopic(topics.deadLetters)
            .consumerGroup("job-" + topics.behaviour)
            .deltaBasePath(deltaPath.toString())
            .boundedInput(true)
            .build());
    return env.executeAsync("feature job under test");
  }

  private static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    // Hadoop's shutdown hook reads its configuration through the job's closed class loader.
    conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    // Nothing here should fail; if something does, the test should say so at once.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    return env;
  }

  /** The sum of {@code numRecordsOut} of the job's operators whose name starts with "Source: ". */
  private static long sourceRecordsOut(JobID job) {
    List<OperatorMetricGroup> sources = METRICS.findOperatorMetricGroups(job, "^Source: ");
    assertThat(sources).as("source operators").isNotEmpty();
    return sources.stream()
        .mapToLong(group -> group.getIOMetricGroup().getNumRecordsOutCounter().getCount())
        .sum();
  }

  /** Every SQL value by feature name, then user and window end. */
  private static Map<String, Map<WindowKey, Object>> sqlValues(Map<Result, String> resultTopics)
      throws IOException {
    Map<String, Map<WindowKey, Object>> values = new HashMap<>();
    Map<WindowKey, TreeMap<Integer, String>> rankedArtists = new HashMap<>();
    for (Map.Entry<Result, String> result : resultTopics.entrySet()) {
      for (ConsumedRecord record :
          KafkaRecords.readAll(KAFKA.bootstrapServers(), result.getValue(), READ_TIMEOUT)) {
        JsonNode row = JSON.readTree(record.value());
        WindowKey key =
            new WindowKey(
                row.get("user_id").asText(),
                LocalDateTime.parse(row.get("window_end").asText())
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli());
        if (result.getKey() == Result.TOP_ARTISTS_1H) {
          rankedArtists
              .computeIfAbsent(key, k -> new TreeMap<>())
              .put(row.get("artist_rank").asInt(), row.get("artist_id").asText());
          continue;
        }
        row.fieldNames()
            .forEachRemaining(
                column -> {
                  if (!column.equals("user_id") && !column.equals("window_end")) {
                    values
                        .computeIfAbsent(column, c -> new HashMap<>())
                        .put(key, row.get(column).isNull() ? null : row.get(column).numberValue());
                  }
                });
      }
    }
    Map<WindowKey, Object> topArtists = new HashMap<>();
    rankedArtists.forEach((key, artists) -> topArtists.put(key, List.copyOf(artists.values())));
    values.put("top_artists_1h", topArtists);
    return values;
  }

  /** A row of our job's offline table: user, window end and the values of the features. */
  private record OurRow(String userId, long featureTime, Map<String, Object> values) {}

  /** The rows of the user_listening table, through delta-standalone as any Delta reader would. */
  private static List<OurRow> readDeltaRows(Path deltaPath) throws IOException {
    Snapshot snapshot =
        DeltaLog.forTable(
                new org.apache.hadoop.conf.Configuration(),
                deltaPath.resolve(USER_LISTENING.tableName()).toString())
            .update();
    List<OurRow> rows = new ArrayList<>();
    try (CloseableIterator<RowRecord> records = snapshot.open()) {
      while (records.hasNext()) {
        RowRecord record = records.next();
        Map<String, Object> values = new HashMap<>();
        for (Feature feature : USER_LISTENING.features()) {
          String column = feature.name();
          values.put(
              column,
              record.isNullAt(column)
                  ? null
                  : switch (feature.type()) {
                    case LONG -> record.getLong(column);
                    case DOUBLE -> record.getDouble(column);
                    case STRING_LIST -> List.copyOf(record.<String>getList(column));
                  });
        }
        rows.add(new OurRow(record.getString("user_id"), record.getLong("feature_time"), values));
      }
    }
    return rows;
  }

  /**
   * What our job writes for a window without matching events, where SQL has no row: the contract
   * sets no defaults, so 0 for counts, the empty list for top_k and null otherwise.
   */
  private static Object emptyWindowValue(Feature feature) {
    assertThat(feature.defaultValue()).as("default of " + feature.name()).isNull();
    return switch (feature.aggregation()) {
      case COUNT, DISTINCT_COUNT -> 0L;
      case TOP_K -> List.of();
      default -> null;
    };
  }

  /**
   * Equal lists, equal whole numbers, or doubles within 1e-9 relative: a mean depends on the order
   * its doubles were added in.
   */
  private static boolean sameValue(Object sql, Object ours) {
    if (sql instanceof Number expected && ours instanceof Number actual) {
      if (ours instanceof Long) {
        return expected.longValue() == actual.longValue()
            && expected.doubleValue() == actual.doubleValue();
      }
      double x = expected.doubleValue();
      double y = actual.doubleValue();
      return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    }
    return Objects.equals(sql, ours);
  }

  /** A user's window, by its end in epoch milliseconds. */
  private record WindowKey(String userId, long windowEnd) {
    @Override
    public String toString() {
      return userId + " at " + Instant.ofEpochMilli(windowEnd);
    }
  }
}
