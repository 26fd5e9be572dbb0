package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractDiffTest {

  /** The base contract; tests change it with {@link #edit}. */
  private static final String BASE =
      """
      name: listening
      version: 1
      owner: recs
      description: how much users listen
      tags: [recommendations]
      source: { stream: behaviour, filter: "action != 'search'" }
      entity: { name: user, keys: [{ field: user_id, type: string }] }
      features:
        - name: plays_1m
          type: long
          aggregation: count
          filter: action == 'play'
          window: { type: sliding, size: 1m, hop: 10s }
        - name: avg_played_ms_10m
          type: double
          aggregation: avg
          input: played_ms
          window: { type: sliding, size: 10m, hop: 1m }
        - name: skip_ratio_10m
          type: double
          aggregation: ratio
          numerator: action == 'skip'
          denominator: "action in ['play', 'skip']"
          window: { type: tumbling, size: 10m }
      state_ttl: 1h
      freshness_sla: 5s
      offline: { table: listening }
      """;

  private static final String ONLINE =
      """
      online_ttl: 2h
      serving_max_age: 1h
      online: { enabled: true }
      """;

  private static final String BUMP = "; raise version to 2 for a new state namespace and table)";

  @TempDir Path dir;

  private int files;

  @Test
  void identicalContractsHaveNoChanges() throws IOException {
    ContractDiff diff = diff(List.of(BASE), List.of(BASE));

    assertThat(diff.changes()).isEmpty();
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void newContractIsCompatible() throws IOException {
    String other =
        BASE.replace("name: listening", "name: other").replace("table: listening", "table: t");

    ContractDiff diff = diff(List.of(BASE), List.of(BASE, other));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  other  contract: (none) -> version 1"
                + "  (new contract: 3 feature(s) into table t)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void removedContractIsBreakingAndNeverAccepted() throws IOException {
    ContractDiff diff = diff(List.of(BASE), List.of());

    assertThat(lines(diff))
        .containsExactly(
            "BREAKING  listening  contract: version 1 -> (none)  (contract removed: its table and"
                + " features stop; set lifecycle: deprecated first and remove it in a later"
                + " change)");
    assertThat(diff.isAccepted()).isFalse();
    assertThat(diff.unaccepted()).isEqualTo(diff.breaking());
  }

  @Test
  void removedDeprecatedContractIsCompatible() throws IOException {
    String deprecated = edit(BASE, "tags: [recommendations]", "lifecycle: deprecated");

    ContractDiff diff = diff(List.of(deprecated), List.of());

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  contract: version 1 -> (none)  (removed after deprecation)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void labelsAndOperationalSettingsAreCompatible() throws IOException {
    String head =
        edit(
            edit(
                edit(
                    edit(
                        edit(BASE, "owner: recs", "owner: taste"),
                        "description: how much users listen",
                        "description: listening \"depth\""),
                    "tags: [recommendations]",
                    "tags: [recommendations, engagement]\nlifecycle: deprecated"),
                "entity: { name: user,",
                "entity: { name: listener,"),
            "state_ttl: 1h\nfreshness_sla: 5s",
            "state_ttl: 2h\nfreshness_sla: 10s\nallowed_lateness: 2s");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  owner: \"recs\" -> \"taste\"  (metadata only)",
            "COMPATIBLE  listening  description: \"how much users listen\""
                + " -> \"listening \\\"depth\\\"\"  (metadata only)",
            "COMPATIBLE  listening  tags: [recommendations] -> [recommendations, engagement]"
                + "  (metadata only)",
            "COMPATIBLE  listening  lifecycle: active -> deprecated"
                + "  (metadata only; a deprecated contract may be removed in a later change)",
            "COMPATIBLE  listening  entity.name: user -> listener"
                + "  (a label only; the key fields are unchanged)",
            "COMPATIBLE  listening  state_ttl: 1h -> 2h"
                + "  (a memory bound only; it still covers the largest window plus"
                + " allowed_lateness)",
            "COMPATIBLE  listening  freshness_sla: 5s -> 10s  (a monitoring target only)",
            "COMPATIBLE  listening  allowed_lateness: 0ms -> 2s"
                + "  (decides only which late events count from now on)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void newFeatureAndNewOrderAreCompatible() throws IOException {
    String plays =
        """
          - name: plays_1m
            type: long
            aggregation: count
            filter: action == 'play'
            window: { type: sliding, size: 1m, hop: 10s }
        """;
    String likes =
        """
          - name: likes_1h
            type: long
            aggregation: count
            filter: action == 'like'
            window: { type: tumbling, size: 1h }
        """;
    String head = edit(edit(BASE, plays, likes), "state_ttl:", plays + "state_ttl:");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  features[likes_1h]: (none)"
                + " -> long count where \"action == 'like'\", tumbling 1h"
                + "  (new feature: a new column; existing ones are unchanged)",
            "COMPATIBLE  listening  features:"
                + " [plays_1m, avg_played_ms_10m, skip_ratio_10m]"
                + " -> [avg_played_ms_10m, skip_ratio_10m, plays_1m]"
                + "  (order only; names and definitions are unchanged)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void changedFeatureDefinitionsAreBreakingWithoutAVersionBump() throws IOException {
    String head =
        edit(
            edit(
                edit(
                    edit(BASE, "filter: action == 'play'", "filter: action == 'complete'"),
                    "size: 1m, hop: 10s",
                    "size: 5m, hop: 10s"),
                "type: double\n    aggregation: avg\n    input: played_ms",
                "type: long\n    aggregation: sum\n    input: song_ms"),
            "numerator: action == 'skip'\n    denominator: \"action in ['play', 'skip']\"",
            "numerator: action == 'like'\n    denominator: \"true\"");
    head = edit(head, "size: 10m, hop: 1m", "size: 10m, hop: 2m");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "BREAKING  listening  features[plays_1m].filter:"
                + " \"action == 'play'\" -> \"action == 'complete'\""
                + "  (the feature counts other events"
                + BUMP,
            "BREAKING  listening  features[plays_1m].window: sliding 1m/10s -> sliding 5m/10s"
                + "  (the feature covers another span of time"
                + BUMP,
            "BREAKING  listening  features[avg_played_ms_10m].type: double -> long"
                + "  (the column's type changes: readers and the table break"
                + BUMP,
            "BREAKING  listening  features[avg_played_ms_10m].aggregation: avg -> sum"
                + "  (the feature's values change meaning"
                + BUMP,
            "BREAKING  listening  features[avg_played_ms_10m].input:"
                + " \"played_ms\" -> \"song_ms\"  (the feature aggregates another value"
                + BUMP,
            "BREAKING  listening  features[avg_played_ms_10m].window:"
                + " sliding 10m/1m -> sliding 10m/2m"
                + "  (the feature's values come at other times and its tiles change"
                + BUMP,
            "BREAKING  listening  features[skip_ratio_10m].numerator:"
                + " \"action == 'skip'\" -> \"action == 'like'\""
                + "  (the ratio counts other events"
                + BUMP,
            "BREAKING  listening  features[skip_ratio_10m].denominator:"
                + " \"action in ['play', 'skip']\" -> \"true\"  (the ratio counts other events"
                + BUMP);
    assertThat(diff.unaccepted()).hasSize(8);
  }

  @Test
  void newSketchAndLifetimeFeaturesAreCompatible() throws IOException {
    String head =
        edit(
            BASE,
            "state_ttl:",
            """
              - name: top_artists
                type: string_list
                aggregation: top_k
                k: 3
                input: artist_id
                window: { type: lifetime, hop: 1h }
              - name: distinct_songs_10m
                type: long
                aggregation: distinct_count
                input: song_id
                window: { type: tumbling, size: 10m }
            state_ttl:""");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  features[top_artists]: (none)"
                + " -> string_list top_k 3 of \"artist_id\", lifetime/1h"
                + "  (new feature: a new column; existing ones are unchanged)",
            "COMPATIBLE  listening  features[distinct_songs_10m]: (none)"
                + " -> long distinct_count of \"song_id\", tumbling 10m"
                + "  (new feature: a new column; existing ones are unchanged)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void changedKIsBreaking() throws IOException {
    String base =
        edit(
            BASE,
            "state_ttl:",
            """
              - name: top_artists
                type: string_list
                aggregation: top_k
                k: 3
                input: artist_id
                window: { type: tumbling, size: 10m }
            state_ttl:""");
    String head = edit(base, "k: 3", "k: 10");

    ContractDiff diff = diff(List.of(base), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "BREAKING  listening  features[top_artists].k: 3 -> 10"
                + "  (the feature keeps another number of values"
                + BUMP);
    assertThat(diff.isAccepted()).isFalse();
  }

  @Test
  void aNewAdaptiveIntervalIsCompatibleAndChangingItsParametersIsBreaking() throws IOException {
    String withInterval =
        edit(
            BASE,
            "state_ttl:",
            """
              - name: play_interval_s
                type: double
                aggregation: adaptive_interval
                filter: action == 'play'
                window: { type: lifetime, hop: 10s }
            state_ttl:""");
    String explicitDefaults =
        edit(
            withInterval,
            "    aggregation: adaptive_interval\n",
            "    aggregation: adaptive_interval\n    adaptive: { initial: 10s, busy_at: 3 }\n");
    String busierAtFive = edit(explicitDefaults, "busy_at: 3", "busy_at: 5");
    String longerMax =
        edit(explicitDefaults, "{ initial: 10s, busy_at: 3 }", "{ initial: 10s, max: 10m }");

    assertThat(lines(diff(List.of(BASE), List.of(withInterval))))
        .containsExactly(
            "COMPATIBLE  listening  features[play_interval_s]: (none) -> double adaptive_interval"
                + " (initial 10s, min 1s, max 5m, quiet_factor 1.5, busy_factor 0.7, busy_at 3)"
                + " where \"action == 'play'\", lifetime/10s"
                + "  (new feature: a new column; existing ones are unchanged)");
    assertThat(diff(List.of(withInterval), List.of(explicitDefaults)).changes()).isEmpty();
    assertThat(lines(diff(List.of(explicitDefaults), List.of(busierAtFive))))
        .containsExactly(
            "BREAKING  listening  features[play_interval_s].adaptive: initial 10s, min 1s, max"
                + " 5m, quiet_factor 1.5, busy_factor 0.7, busy_at 3 -> initial 10s, min 1s, max"
                + " 5m, quiet_factor 1.5, busy_factor 0.7, busy_at 5"
                + "  (the interval adapts by other rules: the feature's values change"
                + BUMP);
    assertThat(lines(diff(List.of(explicitDefaults), List.of(longerMax))))
        .containsExactly(
            "BREAKING  listening  features[play_interval_s].adaptive: initial 10s, min 1s, max"
                + " 5m, quiet_factor 1.5, busy_factor 0.7, busy_at 3 -> initial 10s, min 1s, max"
                + " 10m, quiet_factor 1.5, busy_factor 0.7, busy_at 3"
                + "  (the interval adapts by other rules: the feature's values change"
                + BUMP);
    assertThat(
            diff(
                    List.of(explicitDefaults),
                    List.of(busierAtFive.replace("version: 1", "version: 2")))
                .isAccepted())
        .isTrue();
  }

  @Test
  void windowsToAndFromLifetimeAndLifetimeHopsAreBreaking() throws IOException {
    String lifetime =
        edit(BASE, "{ type: sliding, size: 1m, hop: 10s }", "{ type: lifetime, hop: 10s }");
    String longerHop =
        edit(lifetime, "{ type: lifetime, hop: 10s }", "{ type: lifetime, hop: 1m }");
    String tumbling =
        edit(lifetime, "{ type: lifetime, hop: 10s }", "{ type: tumbling, size: 1m }");

    assertThat(lines(diff(List.of(BASE), List.of(lifetime))))
        .containsExactly(
            "BREAKING  listening  features[plays_1m].window: sliding 1m/10s -> lifetime/10s"
                + "  (the feature covers another span of time"
                + BUMP);
    assertThat(lines(diff(List.of(lifetime), List.of(longerHop))))
        .containsExactly(
            "BREAKING  listening  features[plays_1m].window: lifetime/10s -> lifetime/1m"
                + "  (the feature's values come at other times and its tiles change"
                + BUMP);
    assertThat(lines(diff(List.of(lifetime), List.of(tumbling))))
        .containsExactly(
            "BREAKING  listening  features[plays_1m].window: lifetime/10s -> tumbling 1m"
                + "  (the feature covers another span of time"
                + BUMP);
  }

  @Test
  void changedPartitioningIsBreaking() throws IOException {
    String byHour =
        edit(
            BASE,
            "offline: { table: listening }",
            "offline: { table: listening, partition_by: [event_date, event_hour] }");
    String unpartitioned =
        edit(
            BASE,
            "offline: { table: listening }",
            "offline: { table: listening, partition_by: [] }");
    String byDate =
        edit(
            BASE,
            "offline: { table: listening }",
            "offline: { table: listening, partition_by: [event_date] }");

    assertThat(lines(diff(List.of(BASE), List.of(byHour))))
        .containsExactly(
            "BREAKING  listening  offline.partition_by: [event_date] -> [event_date, event_hour]"
                + "  (the table's layout changes: a Delta table's partition columns are fixed"
                + " when it is created"
                + BUMP);
    assertThat(lines(diff(List.of(BASE), List.of(unpartitioned))))
        .containsExactly(
            "BREAKING  listening  offline.partition_by: [event_date] -> []"
                + "  (the table's layout changes: a Delta table's partition columns are fixed"
                + " when it is created"
                + BUMP);
    assertThat(diff(List.of(BASE), List.of(byDate)).changes()).isEmpty();
  }

  @Test
  void breakingChangesAreAcceptedWithARaisedVersion() throws IOException {
    String head =
        edit(edit(BASE, "version: 1", "version: 2"), "size: 1m, hop: 10s", "size: 2m, hop: 10s");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  version: 1 -> 2"
                + "  (replaces version 1 in a new state namespace and table;"
                + " version 1's table stays, no longer written)",
            "BREAKING  listening  features[plays_1m].window: sliding 1m/10s -> sliding 2m/10s"
                + "  (the feature covers another span of time;"
                + " accepted: version 2 gets its own state and table)");
    assertThat(diff.breaking()).hasSize(1);
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void aNewVersionBesideTheOldIsANewContractVersion() throws IOException {
    String next =
        edit(edit(BASE, "version: 1", "version: 2"), "size: 1m, hop: 10s", "size: 2m, hop: 10s");

    ContractDiff diff = diff(List.of(BASE), List.of(BASE, next));

    assertThat(lines(diff))
        .containsExactly(
            "COMPATIBLE  listening  contract: (none) -> version 2"
                + "  (new contract: 3 feature(s) into table listening_v2)");
    assertThat(diff.isAccepted()).isTrue();
  }

  @Test
  void loweredVersionIsBreakingAndNeverAccepted() throws IOException {
    String base = edit(BASE, "version: 1", "version: 3");

    ContractDiff diff = diff(List.of(base), List.of(BASE));

    assertThat(lines(diff))
        .containsExactly(
            "BREAKING  listening  version: 3 -> 1"
                + "  (a version never goes down; set it to 4 or keep it)");
    assertThat(diff.isAccepted()).isFalse();
  }

  @Test
  void removedFeatureIsBreakingUnlessTheContractWasDeprecated() throws IOException {
    String removed =
        edit(
            BASE,
            """
              - name: plays_1m
                type: long
                aggregation: count
                filter: action == 'play'
                window: { type: sliding, size: 1m, hop: 10s }
            """,
            "");
    String deprecated = edit(BASE, "tags: [recommendations]", "lifecycle: deprecated");
    String deprecatedRemoved = edit(removed, "tags: [recommendations]", "lifecycle: deprecated");

    assertThat(lines(diff(List.of(BASE), List.of(removed))))
        .containsExactly(
            "BREAKING  listening  features[plays_1m]:"
                + " long count where \"action == 'play'\", sliding 1m/10s -> (none)"
                + "  (feature removed: its column and values stop, unless the contract is"
                + " deprecated first"
                + BUMP);
    assertThat(lines(diff(List.of(deprecated), List.of(deprecatedRemoved))))
        .containsExactly(
            "COMPATIBLE  listening  features[plays_1m]:"
                + " long count where \"action == 'play'\", sliding 1m/10s -> (none)"
                + "  (feature removed: its column and values stop; allowed, the contract was"
                + " deprecated)");
  }

  @Test
  void keysSourceAndTableChangesAreBreaking() throws IOException {
    String head =
        edit(
            edit(
                edit(
                    BASE,
                    "keys: [{ field: user_id, type: string }]",
                    "keys: [{ field: user_id, type: string }, { field: device, type: string }]"),
                "source: { stream: behaviour, filter: \"action != 'search'\" }",
                "source: { stream: behaviour }"),
            "table: listening",
            "table: listening_by_device");

    ContractDiff diff = diff(List.of(BASE), List.of(head));

    assertThat(lines(diff))
        .containsExactly(
            "BREAKING  listening  entity.keys: [user_id string] -> [user_id string, device string]"
                + "  (the features describe other entities: state and table keys change"
                + BUMP,
            "BREAKING  listening  source.filter: \"action != 'search'\" -> (none)"
                + "  (every feature sees other events"
                + BUMP,
            "BREAKING  listening  offline.table: listening -> listening_by_device"
                + "  (offline table renamed: its readers miss new rows"
                + BUMP);
  }

  @Test
  void sourceStreamChangeIsBreaking() throws IOException {
    String fileBase =
        """
        name: hosts
        version: 1
        owner: storage
        description: per host
        source: { stream: file }
        entity: { name: host, keys: [{ field: host, type: string }] }
        features:
          - name: events_1m
            type: long
            aggregation: count
            window: { type: tumbling, size: 1m }
        state_ttl: 1h
        freshness_sla: 5s
        offline: { table: hosts }
        """;
    String behaviourHead =
        edit(
            edit(fileBase, "stream: file", "stream: behaviour"),
            "field: host, type: string",
            "field: user_id, type: string");

    assertThat(lines(diff(List.of(fileBase), List.of(behaviourHead))))
        .containsExactly(
            "BREAKING  hosts  entity.keys: [host string] -> [user_id string]"
                + "  (the features describe other entities: state and table keys change"
                + BUMP,
            "BREAKING  hosts  source.stream: file -> behaviour"
                + "  (the features read other events"
                + BUMP);
  }

  @Test
  void enablingOnlineAndChangingItsTtlsAreCompatible() throws IOException {
    String online = BASE + ONLINE;
    String longerTtls =
        edit(
            edit(online, "online_ttl: 2h", "online_ttl: 1d"),
            "serving_max_age: 1h",
            "serving_max_age: 30m");

    assertThat(lines(diff(List.of(BASE), List.of(online))))
        .containsExactly(
            "COMPATIBLE  listening  online: disabled"
                + " -> project freshet, view listening, online_ttl 2h, serving_max_age 1h"
                + "  (adds online serving)");
    assertThat(lines(diff(List.of(online), List.of(longerTtls))))
        .containsExactly(
            "COMPATIBLE  listening  online_ttl: 2h -> 1d  (storage expiry only; still at least"
                + " serving_max_age, so served values are unchanged)",
            "COMPATIBLE  listening  serving_max_age: 1h -> 30m"
                + "  (only how old a served value may be before it reads as missing)");
  }

  @Test
  void renamingOrDisablingOnlineServingIsBreaking() throws IOException {
    String online = BASE + ONLINE;
    String renamed =
        edit(
            online,
            "online: { enabled: true }",
            "online: { enabled: true, feast_project: taste, feature_view: listening_v }");
    String disabled = edit(online, ONLINE, "");

    assertThat(lines(diff(List.of(online), List.of(renamed))))
        .containsExactly(
            "BREAKING  listening  online.feast_project: freshet -> taste"
                + "  (online readers look the feature view up by name"
                + BUMP,
            "BREAKING  listening  online.feature_view: listening -> listening_v"
                + "  (online readers look the feature view up by name"
                + BUMP);
    assertThat(lines(diff(List.of(online), List.of(disabled))))
        .containsExactly(
            "BREAKING  listening  online:"
                + " project freshet, view listening, online_ttl 2h, serving_max_age 1h -> disabled"
                + "  (online serving removed: readers miss it, unless the contract is deprecated"
                + " first"
                + BUMP);
  }

  @Test
  void changesAreOrderedByContractName() throws IOException {
    String zebra =
        BASE.replace("name: listening", "name: zebra").replace("table: listening", "table: z");
    String alpha =
        BASE.replace("name: listening", "name: alpha").replace("table: listening", "table: a");

    ContractDiff diff = diff(List.of(zebra, BASE), List.of(alpha, BASE));

    assertThat(diff.changes())
        .extracting(ContractChange::contract)
        .containsExactly("alpha", "zebra");
  }

  private ContractDiff diff(List<String> base, List<String> head) throws IOException {
    return ContractDiff.between(load(base), load(head));
  }

  private List<Contract> load(List<String> texts) throws IOException {
    Path set = Files.createDirectory(dir.resolve("set" + files++));
    for (int i = 0; i < texts.size(); i++) {
      Files.writeString(set.resolve("c" + i + ".yaml"), texts.get(i));
    }
    return texts.isEmpty() ? List.of() : new ContractLoader().loadDirectory(set);
  }

  private static List<String> lines(ContractDiff diff) {
    return diff.changes().stream().map(ContractChange::toString).toList();
  }

  /** {@code text} with {@code from} replaced; fails when {@code from} is not in it. */
  private static String edit(String text, String from, String to) {
    assertThat(text).contains(from);
    return text.replace(from, to);
  }
}
