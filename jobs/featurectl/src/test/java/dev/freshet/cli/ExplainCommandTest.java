package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
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
            State per key     ~12496 bytes = 60 tiles x (9 arrays x 2 features x 8 B + 64 B)\
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
    assertThat(estimate.bytesPerTile()).isEqualTo(9 * 3 * 8 + 64);
    assertThat(estimate.bytesPerKey()).isEqualTo(12 * (9 * 3 * 8 + 64) + 3 * 8);
  }

  @Test
  void countsEveryArrayOfTheJobsTile() {
    // counts, sums, sumsOfSquares, mins, maxs, firsts, firstTimes, lasts, lastTimes
    assertThat(ExplainCommand.StateEstimate.tileArrays()).isEqualTo(9);
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
        .contains("State per key = tiles x (arrays x features x 8 bytes + 64 bytes)")
        .contains("  1   no contract of that name, or the contracts fail validation");
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
