package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.job.AdaptiveState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExplainCommandTest {

  private static final String USER_TAGS =
      """
      name: user_tags
      version: 2
      owner: recs
      description: taste per tag
      lifecycle: draft
      source: { stream: behaviour, filter: "action != 'search'" }
      entity:
        name: user_tag
        keys:
          - { field: user_id, type: string }
          - { field: tags, type: string }
      features:
        - name: plays_30m
          type: long
          aggregation: count
          filter: action == 'play'
          window: { type: sliding, size: 30m, hop: 1m }
        - name: avg_played_ms_10m
          type: double
          aggregation: avg
          input: played_ms
          window: { type: sliding, size: 10m, hop: 30s }
      state_ttl: 1h
      freshness_sla: 5s
      allowed_lateness: 2s
      offline: { table: user_tags }
      online_ttl: 2h
      serving_max_age: 1h
      online: { enabled: true, feature_view: taste }
      """;

  private static final String INODES =
      """
      name: inode_writes
      version: 1
      owner: storage
      description: writes per file
      source: { stream: file }
      entity:
        name: file
        keys:
          - { field: device, type: long }
          - { field: inode, type: long }
      features:
        - name: writes_10s
          type: long
          aggregation: count
          filter: op == 'write'
          window: { type: tumbling, size: 10s }
        - name: bytes_1m
          type: long
          aggregation: sum
          input: size
          window: { type: sliding, size: 1m, hop: 15s }
        - name: largest_1m
          type: long
          aggregation: max
          input: size
          window: { type: sliding, size: 1m, hop: 15s }
      state_ttl: 10m
      freshness_sla: 5s
      offline: { table: inode_writes }
      """;

  private static final String ARTIST_TASTE =
      """
      name: artist_taste
      version: 1
      owner: recs
      description: which artists a user plays
      source: { stream: behaviour }
      entity: { name: user, keys: [{ field: user_id, type: string }] }
      features:
        - name: distinct_songs_1h
          type: long
          aggregation: distinct_count
          input: song_id
          window: { type: sliding, size: 1h, hop: 10m }
        - name: top_artists
          type: string_list
          aggregation: top_k
          k: 5
          input: artist_id
          window: { type: lifetime, hop: 1h }
      state_ttl: 30d
      freshness_sla: 5s
      offline: { table: artist_taste }
      """;

  private static final String POLL_INTERVALS =
      """
      name: poll_intervals
      version: 1
      owner: storage
      description: how often to poll each directory
      source: { stream: file, filter: "op != 'chmod'" }
      entity: { name: directory, keys: [{ field: directory, type: string }] }
      features:
        - name: poll_interval_s
          type: double
          aggregation: adaptive_interval
          filter: op == 'write'
          window: { type: lifetime, hop: 10s }
        - name: changes_1m
          type: long
          aggregation: count
          window: { type: sliding, size: 1m, hop: 10s }
      state_ttl: 1d
      freshness_sla: 5s
      offline: { table: poll_intervals }
      """;

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void writeContracts() throws IOException {
    Files.writeString(dir.resolve("user_tags.yaml"), USER_TAGS);
    Files.writeString(dir.resolve("inode_writes.yaml"), INODES);
  }

  @Test
  void explainsTheWholePlan() {
    int exitCode = execute("explain", "user_tags", "--contracts", dir.toString());

    assertThat(exitCode).isZero();
    assertThat(err).hasToString("");
    assertThat(out)
        .hasToString(
            """
            Contract          user_tags (version 2, draft, owner recs)
            Stream            behaviour
            Kafka topic       behaviour-events (the default topic)
            Source filter     action != 'search'
            Entity            user_tag
              user_id  string
              tags     string (a list)
            keyBy key         user_tags_v2|<user_id>\\u001f<tags>
                              one key per distinct element of tags per event
                              events without a key field are skipped
            Features          2
              plays_30m          long count where "action == 'play'", sliding 30m/1m
              avg_played_ms_10m  double avg of "played_ms", sliding 10m/30s
            Tile              30s (gcd of the window hops)
            Tiles per key     60 (largest window 30m / tile 30s)
            State per key     ~13456 bytes = 60 tiles x (10 arrays x 2 features x 8 B + 64 B)\
             + 2 features x 8 B (emitted row)
            State TTL         1h
            Allowed lateness  2s
            Freshness SLA     5s
            Offline table     user_tags_v2 (Delta)
              user_id            STRING
              tags               STRING
              feature_time       LONG
              plays_30m          LONG, nullable
              avg_played_ms_10m  DOUBLE, nullable
              event_date         STRING, partition column
            Online            Feast project freshet, feature view taste, online_ttl 2h,\
             serving_max_age 1h
            """);
  }

  @Test
  void longKeysBecomeLongColumns() {
    int exitCode = execute("explain", "inode_writes", "--contracts", dir.toString());

    assertThat(exitCode).isZero();
    assertThat(out.toString().lines())
        .contains(
            "Kafka topic       file-events (the default topic)",
            "  device  long",
            "  inode   long",
            "keyBy key         inode_writes|<device>\\u001f<inode>",
            "Tile              5s (gcd of the window hops)",
            "Tiles per key     12 (largest window 1m / tile 5s)",
            "  device        LONG",
            "  inode         LONG",
            "Online            disabled");
  }

  @Test
  void stateEstimateFollowsTheDocumentedFormula() {
    Contract inodes =
        new ContractLoader().loadFiles(List.of(dir.resolve("inode_writes.yaml"))).get(0);

    ExplainCommand.StateEstimate estimate = ExplainCommand.StateEstimate.of(inodes);

    assertThat(estimate.tileMillis()).isEqualTo(5_000);
    assertThat(estimate.tilesPerKey()).isEqualTo(12);
    assertThat(estimate.bytesPerTile()).isEqualTo(10 * 3 * 8 + 64);
    assertThat(estimate.bytesPerKey()).isEqualTo(12 * (10 * 3 * 8 + 64) + 3 * 8);
  }

  @Test
  void sketchesAreCountedAtTheirLargestAndALifetimeWindowAddsItsRunningTotal() throws IOException {
    Files.writeString(dir.resolve("artist_taste.yaml"), ARTIST_TASTE);

    int exitCode = execute("explain", "artist_taste", "--contracts", dir.toString());

    assertThat(exitCode).isZero();
    assertThat(out.toString().lines())
        .contains(
            "  distinct_songs_1h  long distinct_count of \"song_id\", sliding 1h/10m",
            "  top_artists        string_list top_k 5 of \"artist_id\", lifetime/1h",
            "Tile              10m (gcd of the window hops)",
            "Tiles per key     7 = 6 (largest window 1h / tile 10m; a lifetime window counts as"
                + " its hop) + 1 running total of the lifetime windows",
            "State per key     up to ~189452 bytes = 7 tiles x (10 arrays x 2 features x 8 B"
                + " + 64 B + 26824 B sketches) + 2 features x 8 B + 5 list values x 20 B"
                + " (emitted row)",
            "Sketches per tile up to 1 distinct_count x 2216 B (HLL_4, lg_k 12) + 1 top_k x"
                + " 24608 B (768 values of 20 B); a tile holds only the values of its own events");
    ExplainCommand.StateEstimate estimate =
        ExplainCommand.StateEstimate.of(
            new ContractLoader().loadFiles(List.of(dir.resolve("artist_taste.yaml"))).get(0));
    assertThat(estimate.bytesPerKey())
        .isEqualTo((6 + 1) * (10 * 2 * 8 + 64 + 2216 + (32 + 768 * (8 + 4 + 20))) + 2 * 8 + 5 * 20);
  }

  @Test
  void adaptiveIntervalsAddTheirPollPeriodsToTheStatePerKey() throws IOException {
    Files.writeString(dir.resolve("poll_intervals.yaml"), POLL_INTERVALS);

    int exitCode = execute("explain", "poll_intervals", "--contracts", dir.toString());

    assertThat(exitCode).isZero();
    assertThat(out.toString().lines())
        .contains(
            "  poll_interval_s  double adaptive_interval (initial 10s, min 1s, max 5m,"
                + " quiet_factor 1.5, busy_factor 0.7, busy_at 3) where \"op == 'write'\","
                + " lifetime/10s",
            "Tiles per key     7 = 6 (largest window 1m / tile 10s; a lifetime window counts as"
                + " its hop) + 1 running total of the lifetime windows",
            "State per key     ~1760 bytes = 7 tiles x (10 arrays x 2 features x 8 B + 64 B)"
                + " + 2 features x 8 B (emitted row) + (7 arrays x 2 features x 8 B + 64 B)"
                + " (adaptive intervals)",
            "Adaptive state    ~176 bytes per key: the poll periods of 1 adaptive_interval"
                + " feature(s); plus 24 B per event time buffered beyond its period's end"
                + " (changes ahead of the watermark), not counted above");
    ExplainCommand.StateEstimate estimate =
        ExplainCommand.StateEstimate.of(
            new ContractLoader().loadFiles(List.of(dir.resolve("poll_intervals.yaml"))).get(0));
    assertThat(estimate.bytesPerKey()).isEqualTo(7 * (10 * 2 * 8 + 64) + 2 * 8 + (7 * 2 * 8 + 64));
  }

  @Test
  void countsEveryNumericArrayOfTheJobsAdaptiveState() {
    // featureIds, intervals, openedAt, periodStarts, periodEnds, counts, buffered
    assertThat(ExplainCommand.StateEstimate.numericArrays(AdaptiveState.class)).isEqualTo(7);
  }

  @Test
  void countsEveryNumericArrayOfTheJobsTile() {
    // featureIds, counts, sums, squaredDeviations, mins, maxs, firsts, firstTimes, lasts,
    // lastTimes;
    // the sketches are counted by their own size
    assertThat(ExplainCommand.StateEstimate.tileArrays()).isEqualTo(10);
  }

  @Test
  void unknownContractExitsWith1AndListsTheKnownOnes() {
    int exitCode = execute("explain", "nope", "--contracts", dir.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(out).hasToString("");
    assertThat(err)
        .hasToString(
            "error: no contract named 'nope' in " + dir + "; known: [inode_writes, user_tags]\n");
  }

  @Test
  void invalidContractsExitWith1() throws IOException {
    Files.writeString(dir.resolve("broken.yaml"), USER_TAGS.replace("version: 2", "version: x"));

    int exitCode = execute("explain", "user_tags", "--contracts", dir.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .contains(dir.resolve("broken.yaml") + ":2:1: version: 'x' must be a whole number")
        .contains("error: 1 problem(s); fix them first (featurectl validate)");
  }

  @Test
  void helpDocumentsTheFormulaAndExitCodes() {
    int exitCode = execute("explain", "--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .startsWith("Usage: featurectl explain [-hV] [--contracts=DIR] <contract-name>")
        .contains("State per key = tiles x (arrays x features x 8 bytes + 64 bytes + sketches)")
        .contains("  1   no contract of that name, or the contracts fail validation");
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("so the estimate of a contract with distinct_count or top_k is an upper bound");
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
