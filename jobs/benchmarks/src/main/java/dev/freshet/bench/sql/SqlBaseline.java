package dev.freshet.bench.sql;

import dev.freshet.job.FeatureJobConfig;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.function.Function;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

/**
 * The benchmark's baseline: the features of contract {@code user_listening} computed by Flink SQL
 * with window table functions (HOP, TUMBLE, window Top-N) from the behaviour topic, added to the
 * caller's environment as an ordinary DataStream job, so the caller runs it ({@code execute} or
 * {@code executeAsync}) and measures it like any other scenario.
 *
 * <p>Plan: one Kafka table scan, shared by the four queries of {@link Result} (a {@link
 * StreamStatementSet} plans them together), each into a sink of the caller's choice: {@link
 * #blackhole} for the benchmark, anything readable in a test. The planner names the source operator
 * {@code Source: behaviour[<n>]}, where {@code <n>} is the plan node id (it depends on how many
 * plans the JVM made before), so find it by the prefix {@code Source: }: it is the job's only
 * source.
 *
 * <p>Mirrors the feature job where the two can be compared: event time is {@code ts} (epoch ms);
 * the watermark trails the largest event time by 1 s (the job's maximum out-of-orderness) and a
 * source split without records for a minute is idle (the job's default idleness); windows are
 * {@code [end - size, end)}, aligned to the epoch (the session time zone is UTC, so a {@code
 * TIMESTAMP_LTZ} window lies where the job's does whatever the machine's zone); a group id of its
 * own starts from its committed offsets, else from the earliest.
 *
 * <p>Differs from the feature job, by design of a plain SQL baseline:
 *
 * <ul>
 *   <li>Malformed records: one that is not JSON or has a field of a wrong type is dropped silently
 *       ({@code json.ignore-parse-errors}); one that parses but breaks the event schema (a required
 *       field missing, an unknown action) is kept and counts wherever its fields match. The job
 *       sends all of them to the dead-letter topic and counts none.
 *   <li>Late events: SQL has no allowed lateness. An event behind the watermark counts in every one
 *       of its windows still open, however late, and is dropped silently once all have fired. The
 *       job dead-letters an event {@code allowed_lateness} (2 s) or more behind the watermark, even
 *       if some of its windows are still open (the 1h ones, say).
 *   <li>SQL emits a row for every (user, window) that holds events; the job writes an entity's row
 *       at a window end only when a value changed, and carries the empty value (0, null, an empty
 *       list) where SQL has no row.
 *   <li>{@code top_artists_1h} comes as up to three rows per (user, window), one per rank: {@code
 *       LISTAGG} would not keep the rank order.
 *   <li>No derived feature ({@code skipping_streak}: it combines windows of different hops), no
 *       Delta or online sink, no state TTL.
 *   <li>{@code distinct_artists_1h} is exact ({@code COUNT(DISTINCT)}); the job's HLL sketch is
 *       exact up to about 384 values and an estimate beyond.
 * </ul>
 */
public final class SqlBaseline {

  private static final Duration IDLE_TIMEOUT = FeatureJobConfig.DEFAULT_IDLENESS;

  /**
   * The behaviour topic as a table: the event schema of README "Event schemas", event time from
   * {@code ts}, the job's watermark delay.
   */
  private static final String SOURCE_DDL =
      """
      CREATE TEMPORARY TABLE behaviour (
        event_id STRING,
        user_id STRING,
        song_id STRING,
        artist_id STRING,
        `action` STRING,
        played_ms BIGINT,
        song_ms BIGINT,
        tags ARRAY<STRING>,
        session_id STRING,
        device STRING,
        ts BIGINT,
        event_time AS TO_TIMESTAMP_LTZ(ts, 3),
        WATERMARK FOR event_time AS event_time - INTERVAL '1' SECOND
      ) WITH (
        'connector' = 'kafka',
        'topic' = %s,
        'properties.bootstrap.servers' = %s,
        'properties.group.id' = %s,
        'scan.startup.mode' = 'group-offsets',
        'properties.auto.offset.reset' = 'earliest',
        'scan.bounded.mode' = %s,
        'format' = 'json',
        'json.ignore-parse-errors' = 'true'
      )
      """;

  /**
   * Where the baseline reads behaviour events.
   *
   * @param groupId the Kafka consumer group: a new one reads the topic from the beginning (offsets
   *     are committed only at checkpoints)
   * @param bounded whether to stop at the end offsets seen at start ({@code 'scan.bounded.mode' =
   *     'latest-offset'}), so the job finishes once caught up; else the job reads on
   */
  public record Input(String bootstrapServers, String topic, String groupId, boolean bounded) {}

  /**
   * The baseline's result tables, one per window shape of the contract. Each has {@code user_id}
   * and {@code window_end} (the job's {@code feature_time}: a UTC {@code TIMESTAMP(3)}), then its
   * features, named as in the contract.
   */
  public enum Result {
    /** {@code plays_1m}: count of {@code action == 'play'}, sliding 1m, hop 10s. */
    PLAYS_1M(
        """
        SELECT user_id, window_end, COUNT(*) FILTER (WHERE `action` = 'play') AS plays_1m
        FROM TABLE(
          HOP(TABLE behaviour, DESCRIPTOR(event_time), INTERVAL '10' SECOND, INTERVAL '1' MINUTE))
        GROUP BY window_start, window_end, user_id
        """),

    /**
     * Sliding 10m, hop 1m: {@code skips_10m} (count of skips), {@code skip_ratio_10m} (share of
     * play, skip and complete events that are skips; null without any) and {@code
     * avg_played_ms_10m} (mean {@code played_ms} of plays and completions; null without any).
     */
    LISTENING_10M(
        """
        SELECT user_id, window_end,
          COUNT(*) FILTER (WHERE `action` = 'skip') AS skips_10m,
          CAST(COUNT(*) FILTER (
              WHERE `action` = 'skip' AND `action` IN ('play', 'skip', 'complete')) AS DOUBLE)
            / NULLIF(COUNT(*) FILTER (WHERE `action` IN ('play', 'skip', 'complete')), 0)
            AS skip_ratio_10m,
          AVG(CAST(played_ms AS DOUBLE)) FILTER (WHERE `action` IN ('play', 'complete'))
            AS avg_played_ms_10m
        FROM TABLE(
          HOP(TABLE behaviour, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '10' MINUTE))
        GROUP BY window_start, window_end, user_id
        """),

    /**
     * Tumbling 1h: {@code likes_1h} (count of likes) and {@code distinct_artists_1h} (distinct
     * artists of plays and completions).
     */
    LISTENING_1H(
        """
        SELECT user_id, window_end,
          COUNT(*) FILTER (WHERE `action` = 'like') AS likes_1h,
          COUNT(DISTINCT artist_id) FILTER (WHERE `action` IN ('play', 'complete'))
            AS distinct_artists_1h
        FROM TABLE(TUMBLE(TABLE behaviour, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
        GROUP BY window_start, window_end, user_id
        """),

    /**
     * {@code top_artists_1h}: the 3 artists of most plays and completions, sliding 1h, hop 1m, as a
     * window Top-N over per-artist counts; equal counts rank the smaller artist id first, as the
     * job's top_k does. One row per rank ({@code artist_rank} 1 to 3).
     */
    TOP_ARTISTS_1H(
        """
        SELECT user_id, window_end, artist_rank, artist_id
        FROM (
          SELECT user_id, window_start, window_end, artist_id,
            ROW_NUMBER() OVER (
              PARTITION BY window_start, window_end, user_id
              ORDER BY plays DESC, artist_id) AS artist_rank
          FROM (
            SELECT user_id, window_start, window_end, artist_id, COUNT(*) AS plays
            FROM TABLE(
              HOP(TABLE behaviour, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '1' HOUR))
            WHERE `action` IN ('play', 'complete') AND artist_id IS NOT NULL
            GROUP BY window_start, window_end, user_id, artist_id))
        WHERE artist_rank <= 3
        """);

    private final String query;

    Result(String query) {
      this.query = query;
    }

    /** The name of this result's sink table, e.g. {@code plays_1m}. */
    public String tableName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The query that computes this result from table {@code behaviour}. */
    public String query() {
      return query;
    }
  }

  private SqlBaseline() {}

  /**
   * Adds the baseline to {@code env}, every result into its sink from {@code sinks}; the caller
   * executes {@code env}.
   *
   * @param sinks the sink table of each result, e.g. {@link #blackhole}; a descriptor without a
   *     schema takes the result's
   */
  public static void addTo(
      StreamExecutionEnvironment env, Input input, Function<Result, TableDescriptor> sinks) {
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
    tables.getConfig().set(ExecutionConfigOptions.TABLE_EXEC_SOURCE_IDLE_TIMEOUT, IDLE_TIMEOUT);
    tables.executeSql(
        SOURCE_DDL.formatted(
            literal(input.topic()),
            literal(input.bootstrapServers()),
            literal(input.groupId()),
            literal(input.bounded() ? "latest-offset" : "unbounded")));
    StreamStatementSet statements = tables.createStatementSet();
    for (Result result : Result.values()) {
      Table rows = tables.sqlQuery(result.query());
      TableDescriptor sink = sinks.apply(result);
      if (sink.getSchema().isEmpty()) {
        sink =
            sink.toBuilder()
                .schema(Schema.newBuilder().fromResolvedSchema(rows.getResolvedSchema()).build())
                .build();
      }
      // A named sink table names its operator: "<result>[<n>]: Writer", not "*anonymous_...*".
      tables.createTemporaryTable(result.tableName(), sink);
      statements.add(rows.insertInto(result.tableName()));
    }
    statements.attachAsDataStream();
  }

  /** A sink that discards every row: what the benchmark writes to. */
  public static TableDescriptor blackhole(Result result) {
    return TableDescriptor.forConnector("blackhole").build();
  }

  /** {@code value} as an SQL string literal. */
  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
