package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.freshet.events.EventStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ContractLoaderTest {

  private static final Path PROJECT_CONTRACTS = Path.of("../../contracts");

  /** A valid contract; tests replace one line of it to break one rule. */
  static final String VALID =
      """
      name: listening
      version: 1
      owner: recs
      description: test
      source: { stream: behaviour }
      entity: { name: user, keys: [{ field: user_id, type: string }] }
      features:
        - name: plays
          type: long
          aggregation: count
          window: { type: sliding, size: 10m, hop: 1m }
      state_ttl: 2h
      freshness_sla: 5s
      offline: { table: listening }
      """;

  @TempDir Path dir;

  private final ContractLoader loader = new ContractLoader();

  @Test
  void theProjectsContractsAreValid() {
    List<Contract> contracts = loader.loadDirectory(PROJECT_CONTRACTS);

    assertThat(contracts).hasSize(12);
    assertThat(contracts)
        .extracting(c -> c.entity().name())
        .contains("user", "song", "artist", "user_tag", "path", "directory", "host");
    assertThat(contracts).filteredOn(c -> c.source() == EventStream.BEHAVIOUR).hasSize(7);
    assertThat(contracts).filteredOn(c -> c.source() == EventStream.FILE).hasSize(5);
  }

  @Test
  void readsEveryConstruct() throws IOException {
    Contract contract =
        loadOne(
            """
            name: listening
            version: 3
            owner: recs
            description: test
            tags: [recommendations, listening]
            lifecycle: draft
            source:
              stream: behaviour
              filter: action != 'search'
            entity:
              name: user_tag
              keys:
                - { field: user_id, type: string }
                - { field: tags, type: string }
            features:
              - name: plays
                type: long
                aggregation: count
                filter: "action in ['play', 'complete']"
                window: { type: sliding, size: 10m, hop: 1m }
              - name: avg_played
                type: double
                aggregation: avg
                input: played_ms
                window: { type: tumbling, size: 1h }
              - name: skip_ratio
                type: double
                aggregation: ratio
                numerator: action == 'skip'
                denominator: "true"
                window: { type: tumbling, size: 1h }
              - name: played_share_stddev
                type: double
                aggregation: stddev
                input: double(played_ms) / double(song_ms)
                window: { type: tumbling, size: 1h }
              - name: first_played_ms
                type: long
                aggregation: first
                input: played_ms
                window: { type: tumbling, size: 1h }
                default: -1
            state_ttl: 2h
            online_ttl: 1d
            serving_max_age: 1h
            freshness_sla: 5s
            allowed_lateness: 500ms
            offline: { table: listening }
            online: { enabled: true, feature_view: user_listening }
            """);

    assertThat(contract.version()).isEqualTo(3);
    assertThat(contract.tags()).containsExactly("recommendations", "listening");
    assertThat(contract.lifecycle()).isEqualTo(Lifecycle.DRAFT);
    assertThat(contract.online())
        .isEqualTo(
            new OnlineSink(
                true, "freshet", "user_listening", Duration.ofDays(1), Duration.ofHours(1)));
    assertThat(contract.sourceFilter()).isEqualTo("action != 'search'");
    assertThat(contract.entity())
        .isEqualTo(
            new Entity(
                "user_tag",
                List.of(
                    new EntityKey("user_id", KeyType.STRING),
                    new EntityKey("tags", KeyType.STRING))));
    assertThat(contract.features().get(0).filter()).isEqualTo("action in ['play', 'complete']");
    assertThat(contract.features().get(1).input()).isEqualTo("played_ms");
    assertThat(contract.features().get(2))
        .extracting(Feature::aggregation, Feature::numerator, Feature::denominator)
        .containsExactly(Aggregation.RATIO, "action == 'skip'", "true");
    assertThat(contract.features().get(3).input()).isEqualTo("double(played_ms) / double(song_ms)");
    assertThat(contract.features().get(4).defaultValue()).isEqualTo(-1.0);
    assertThat(contract.features().get(0).defaultValue()).isNull();
    assertThat(contract.features().get(0).window())
        .isEqualTo(Window.sliding(Duration.ofMinutes(10), Duration.ofMinutes(1)));
    assertThat(contract.features().get(1).window()).isEqualTo(Window.tumbling(Duration.ofHours(1)));
    assertThat(contract.allowedLateness()).isEqualTo(Duration.ofMillis(500));
    assertThat(contract.largestWindowMillis()).isEqualTo(3_600_000L);
  }

  @Test
  void readsSketchesLifetimeWindowsAndPartitions() throws IOException {
    Contract contract =
        loadOne(
            """
            name: listening
            version: 1
            owner: recs
            description: test
            source: { stream: behaviour }
            entity: { name: user, keys: [{ field: user_id, type: string }] }
            features:
              - name: distinct_songs_1h
                type: long
                aggregation: distinct_count
                input: song_id
                window: { type: sliding, size: 1h, hop: 10m }
                default: -1
              - name: top_artists
                type: string_list
                aggregation: top_k
                k: 5
                input: artist_id
                filter: action == 'play'
                window: { type: lifetime, hop: 30m }
              - name: distinct_devices
                type: long
                aggregation: distinct_count
                input: device
                window: { type: lifetime, hop: 2h }
            derived:
              - name: known_artists
                type: long
                expression: size(top_artists)
            state_ttl: 30d
            freshness_sla: 5s
            offline: { table: listening, partition_by: [event_date, event_hour] }
            """);

    assertThat(contract.features())
        .containsExactly(
            new Feature(
                "distinct_songs_1h",
                FeatureType.LONG,
                Aggregation.DISTINCT_COUNT,
                "song_id",
                null,
                null,
                null,
                Window.sliding(Duration.ofHours(1), Duration.ofMinutes(10)),
                -1.0,
                null,
                null),
            new Feature(
                "top_artists",
                FeatureType.STRING_LIST,
                Aggregation.TOP_K,
                "artist_id",
                "action == 'play'",
                null,
                null,
                Window.lifetime(Duration.ofMinutes(30)),
                null,
                5,
                null),
            Feature.of(
                "distinct_devices",
                FeatureType.LONG,
                Aggregation.DISTINCT_COUNT,
                "device",
                null,
                Window.lifetime(Duration.ofHours(2))));
    assertThat(contract.derived())
        .containsExactly(
            new DerivedFeature("known_artists", FeatureType.LONG, "size(top_artists)"));
    assertThat(contract.valueColumns())
        .as("features, then derived features")
        .containsExactly(
            new ValueColumn("distinct_songs_1h", FeatureType.LONG),
            new ValueColumn("top_artists", FeatureType.STRING_LIST),
            new ValueColumn("distinct_devices", FeatureType.LONG),
            new ValueColumn("known_artists", FeatureType.LONG));
    assertThat(contract.offlinePartitionColumns()).containsExactly("event_date", "event_hour");
    // A lifetime window keeps its slices for one hop: 2h, more than the 1h sliding window.
    assertThat(contract.largestWindowMillis()).isEqualTo(7_200_000L);
  }

  @Test
  void readsAdaptiveIntervalsWithTheirDefaultsFilledIn() throws IOException {
    Contract contract =
        loadOne(
            """
            name: watcher
            version: 1
            owner: storage
            description: test
            source: { stream: file }
            entity: { name: directory, keys: [{ field: directory, type: string }] }
            features:
              - name: poll_interval_s
                type: double
                aggregation: adaptive_interval
                filter: op != 'chmod'
                window: { type: lifetime, hop: 10s }
              - name: poll_interval_tuned_s
                type: double
                aggregation: adaptive_interval
                adaptive: { initial: 30s, max: 10m, quiet_factor: 2, busy_at: 5 }
                window: { type: lifetime, hop: 1m }
              - name: poll_interval_empty_block_s
                type: double
                aggregation: adaptive_interval
                adaptive: {}
                window: { type: lifetime, hop: 10s }
            state_ttl: 1d
            freshness_sla: 5s
            offline: { table: watcher }
            """);

    assertThat(contract.features())
        .containsExactly(
            Feature.adaptiveInterval(
                "poll_interval_s",
                "op != 'chmod'",
                new AdaptiveInterval(
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(300),
                    1.5,
                    0.7,
                    3),
                Window.lifetime(Duration.ofSeconds(10))),
            Feature.adaptiveInterval(
                "poll_interval_tuned_s",
                null,
                new AdaptiveInterval(
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(10),
                    2.0,
                    0.7,
                    5),
                Window.lifetime(Duration.ofMinutes(1))),
            Feature.adaptiveInterval(
                "poll_interval_empty_block_s",
                null,
                AdaptiveInterval.DEFAULTS,
                Window.lifetime(Duration.ofSeconds(10))));
    assertThat(contract.features().get(0).type()).isEqualTo(FeatureType.DOUBLE);
  }

  @Test
  void partitionByIsOptionalAndMayBeEmpty() throws IOException {
    Contract unpartitioned =
        loadOne(
            VALID.replace(
                "offline: { table: listening }",
                "offline: { table: listening, partition_by: [] }"));
    Contract byDate =
        loadOne(
            VALID.replace(
                "offline: { table: listening }",
                "offline: { table: listening, partition_by: [event_date] }"));

    assertThat(unpartitioned.offlinePartitionColumns()).isEmpty();
    assertThat(byDate.offlinePartitionColumns()).containsExactly("event_date");
  }

  @Test
  void optionalKeysHaveTheirDefaults() throws IOException {
    Contract contract = loadOne(VALID);

    assertThat(contract.lifecycle()).isEqualTo(Lifecycle.ACTIVE);
    assertThat(contract.tags()).isEmpty();
    assertThat(contract.online()).isEqualTo(OnlineSink.DISABLED);
    assertThat(contract.allowedLateness()).isZero();
    assertThat(contract.offlinePartitionColumns()).containsExactly("event_date");
    assertThat(contract.features().get(0).k()).isNull();
  }

  @Test
  void reportsEveryProblemWithFileLineAndField() throws IOException {
    Path file =
        write(
            "broken.yaml",
            """
            name: Broken-Name
            description: test
            source: { stream: behaviour, filter: actoin == 'play' }
            entity: { name: user, keys: [{ field: usr_id, type: string }] }
            features:
              - name: plays
                type: double
                aggregation: count
                window: { type: sliding, size: 10m, hop: 3m }
              - name: avg_song
                type: long
                aggregation: avg
                input: device
                filter: action
                window: { type: hopping, size: 10m }
                colour: blue
            state_ttl: soon
            freshness_sla: 5s
            offline: { table: broken }
            """);

    assertThat(problems(file))
        .containsExactlyInAnyOrder(
            file
                + ":1:1: name: 'Broken-Name' must be snake_case: a-z, 0-9 and _, starting with a letter",
            file + ":1:1: version: is required: a whole number, 1 for a new contract",
            file + ":1:1: owner: is required: the team that answers for the features",
            file
                + ":3:30: source.filter: 'actoin == 'play'' is not valid CEL over behaviour events: at 1:1: undeclared reference to 'actoin'",
            file
                + ":4:32: entity.keys[0].field: 'usr_id' is not a field of behaviour events; known: [event_id, user_id, song_id, artist_id, action, played_ms, song_ms, tags, session_id, device, ts]",
            file
                + ":9:41: features[0].window.hop: '3m' must be positive and divide the size 10m into whole steps",
            file
                + ":7:5: features[0].type: 'double' does not fit count, which is a long; use type: long",
            file
                + ":16:5: features[1].colour: unknown field; expected one of [adaptive, aggregation, default, denominator, filter, input, k, name, numerator, type, window]",
            file
                + ":15:15: features[1].window.type: 'hopping' is not a window type; expected sliding, tumbling or lifetime",
            file
                + ":14:5: features[1].filter: 'action' is string; a condition must be true or false, e.g. action == 'play'",
            file
                + ":13:5: features[1].input: 'device' is string; avg needs a number (int or double)",
            file
                + ":11:5: features[1].type: 'long' does not fit avg, which is a double; use type: double",
            file + ":17:1: state_ttl: 'soon' is not a duration such as 500ms, 30s, 10m, 2h or 7d");
  }

  @Test
  void stateTtlMustCoverTheLargestWindowAndLateness() throws IOException {
    Path file =
        write(
            "short_ttl.yaml",
            VALID.replace("state_ttl: 2h", "state_ttl: 10m\nallowed_lateness: 1m"));

    assertThat(problems(file))
        .containsExactly(
            file
                + ":12:1: state_ttl: '10m' is shorter than the largest window plus allowed_lateness; set it to at least 11m, or state expires while its window is open");
  }

  @Test
  void metadataIsChecked() throws IOException {
    Path file =
        write(
            "metadata.yaml",
            VALID
                .replace("version: 1", "version: one")
                .replace(
                    "description: test",
                    "description: test\ntags: [ok, 7, '']\nlifecycle: retired"));

    assertThat(problems(file))
        .containsExactly(
            file + ":2:1: version: 'one' must be a whole number from 1 to 999",
            file + ":5:12: tags[1]: '7' must be a non-empty string",
            file + ":5:15: tags[2]: '' must be a non-empty string",
            file + ":6:1: lifecycle: 'retired' is not valid; expected draft, active or deprecated");
  }

  @Test
  void onlineTimesNeedTheOnlineSinkAndMustBeConsistent() throws IOException {
    Path withoutOnline =
        write("a.yaml", VALID.replace("state_ttl: 2h", "state_ttl: 2h\nonline_ttl: 1d"));
    Path inconsistent =
        write(
            "b.yaml",
            VALID
                .replace("state_ttl: 2h", "state_ttl: 2h\nonline_ttl: 10m\nserving_max_age: 1h")
                .replace(
                    "offline: { table: listening }",
                    "offline: { table: other }\nonline: { enabled: true }"));
    Path missingTimes =
        write(
            "c.yaml",
            VALID
                .replace("name: listening", "name: third")
                .replace(
                    "offline: { table: listening }",
                    "offline: { table: third }\nonline: { enabled: true }"));

    assertThat(problems(withoutOnline))
        .containsExactly(
            withoutOnline
                + ":13:1: online_ttl: applies to the online store only; add online: {enabled: true} or remove it");
    assertThat(problems(inconsistent))
        .containsExactly(
            inconsistent
                + ":13:1: online_ttl: '10m' is shorter than serving_max_age; set it to at least 1h or rows vanish before they are stale");
    assertThat(problems(missingTimes))
        .containsExactly(
            missingTimes
                + ":1:1: online_ttl: is required when online is enabled: when Redis expires the row",
            missingTimes
                + ":1:1: serving_max_age: is required when online is enabled: older values are served as missing");
  }

  @Test
  void contractNamesAndTablesAreUniqueAcrossFiles() throws IOException {
    Path first = write("a.yaml", VALID);
    Path second = write("b.yaml", VALID);

    assertThatThrownBy(() -> loader.loadFiles(List.of(first, second)))
        .isInstanceOfSatisfying(
            ContractValidationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ContractProblem::toString)
                    .containsExactly(
                        second
                            + ":1:1: name: 'listening' version 1 is already defined by "
                            + first
                            + "; raise the version to run a new one beside it",
                        second
                            + ":14:12: offline.table: 'listening' is already written by "
                            + first
                            + "; each contract needs a table of its own"));
  }

  @Test
  void versionsOfOneContractRunSideBySideUnderTheirOwnIdsAndTables() throws IOException {
    Path first = write("a.yaml", VALID);
    Path second = write("b.yaml", VALID.replace("version: 1", "version: 2"));

    List<Contract> contracts = loader.loadFiles(List.of(first, second));

    assertThat(contracts).extracting(Contract::id).containsExactly("listening", "listening_v2");
    assertThat(contracts)
        .extracting(Contract::tableName)
        .containsExactly("listening", "listening_v2");
  }

  @Test
  void invalidYamlIsReportedWithItsPosition() throws IOException {
    Path file = write("bad.yaml", "name: listening\nowner: [unclosed\n");

    assertThat(problems(file)).hasSize(1);
    assertThat(problems(file).get(0)).startsWith(file + ":3:1: is not valid YAML: ");
  }

  @Test
  void aliasBombsAreRefused() throws IOException {
    // Billion laughs: ten levels of ten aliases each would expand to 10^10 values.
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char level = 'b'; level <= 'k'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [");
      bomb.append(String.join(", ", Collections.nCopies(10, "*" + previous)));
      bomb.append("]\n");
    }
    Path file = write("bomb.yaml", bomb.toString());

    assertThat(problems(file))
        .containsExactly(
            file
                + ":1:1: is not valid YAML: Number of aliases for non-scalar nodes exceeds the"
                + " specified max=20");
  }

  @Test
  void aFewAliasesExpandingPastTheValueLimitAreRefused() throws IOException {
    Path file =
        write(
            "wide.yaml",
            "a: &a ["
                + String.join(", ", Collections.nCopies(1_000, "x"))
                + "]\nb: &b ["
                + String.join(", ", Collections.nCopies(10, "*a"))
                + "]\nc: ["
                + String.join(", ", Collections.nCopies(6, "*b"))
                + "]\n");

    assertThat(problems(file))
        .containsExactly(
            file + ":1:2837: expands to more than 50000 values (aliases?); a contract is small");
  }

  @Test
  void anAliasInsideItsOwnAnchorIsRefused() throws IOException {
    Path file = write("recursive.yaml", "owner: &loop [x, *loop]\n");

    assertThat(problems(file))
        .containsExactly(
            file + ":1:15: nests deeper than 32 levels through aliases; a contract is shallow");
  }

  @Test
  void hugeFilesAreRefusedUnread() throws IOException {
    Path file = dir.resolve("huge.yaml");
    Files.writeString(file, "description: " + "x".repeat(10_000_000) + "\n");
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    List<String> problems = problems(file);
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

    assertThat(problems)
        .containsExactly(
            file
                + ":1:1: is 10000014 bytes, more than the 1000000 a contract may have; split it"
                + " into several contracts");
    assertThat(allocated).isLessThan(ContractLoader.MAX_FILE_BYTES);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS) // a guard against reading forever, not a speed test
  void anEndlessFileIsReadNoFurtherThanTheLimit() {
    Path endless = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(endless), "needs /dev/zero");

    assertThat(problems(endless))
        .containsExactly(
            endless
                + ":1:1: holds more than the 1000000 bytes a contract may have; split it into"
                + " several contracts");
  }

  @Test
  void deepNestingIsRefused() throws IOException {
    Path sequences = write("deep.yaml", "a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n");
    Path mappings =
        write("deep_map.yaml", "a: " + "{a: ".repeat(100_000) + "1" + "}".repeat(100_000) + "\n");

    assertThat(problems(sequences))
        .containsExactly(sequences + ":1:1: is not valid YAML: Nesting Depth exceeded max 32");
    assertThat(problems(mappings))
        .containsExactly(mappings + ":1:1: is not valid YAML: Nesting Depth exceeded max 32");
  }

  @Test
  void unknownTagsAreRefused() throws IOException {
    Path global =
        write(
            "global.yaml",
            VALID.replace("owner: recs", "owner: !!javax.script.ScriptEngineManager [x]"));
    Path local = write("local.yaml", VALID.replace("owner: recs", "owner: !team recs"));
    Path onKey = write("key.yaml", VALID.replace("owner: recs", "!team owner: recs"));

    assertThat(problems(global))
        .containsExactly(
            global
                + ":3:8: is not valid YAML: Global tag is not allowed:"
                + " tag:yaml.org,2002:javax.script.ScriptEngineManager");
    assertThat(problems(local))
        .containsExactly(
            local + ":3:8: has the tag '!team'; a contract holds plain values, without tags");
    assertThat(problems(onKey)).containsExactly(onKey + ":3:1: has a key that is not a plain name");
  }

  @Test
  void standardTagsAreRead() throws IOException {
    Contract contract = loadOne(VALID.replace("owner: recs", "owner: !!str recs"));

    assertThat(contract.owner()).isEqualTo("recs");
  }

  @Test
  void duplicateKeysAreRefused() throws IOException {
    Path file = write("dupe.yaml", VALID.replace("owner: recs", "owner: recs\nowner: other"));

    assertThat(problems(file)).hasSize(1);
    assertThat(problems(file)).containsExactly(file + ":4:1: has the key 'owner' twice; keep one");
  }

  private List<String> problems(Path file) {
    try {
      loader.loadFiles(List.of(file));
    } catch (ContractValidationException e) {
      return e.problems().stream().map(ContractProblem::toString).toList();
    }
    return List.of();
  }

  private Contract loadOne(String yaml) throws IOException {
    return loader.loadFiles(List.of(write("contract.yaml", yaml))).get(0);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
