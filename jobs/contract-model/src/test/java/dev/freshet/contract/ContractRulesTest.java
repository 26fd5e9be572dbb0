package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One broken contract per validation rule: each must give exactly one problem, with its line,
 * column, field, the offending value and the fix.
 */
class ContractRulesTest {

  private static final String VALID = ContractLoaderTest.VALID;

  /** The feature's type and aggregation in {@link #VALID}, replaced by the rules of others. */
  private static final String COUNT = "    type: long\n    aggregation: count\n";

  private static final String TOP_K =
      "    type: string_list\n    aggregation: top_k\n    k: 10\n    input: artist_id\n";

  /** The feature's type, aggregation and window in {@link #VALID}. */
  private static final String COUNT_WINDOW =
      COUNT + "    window: { type: sliding, size: 10m, hop: 1m }\n";

  /** An adaptive_interval feature to stand for {@link #COUNT_WINDOW}; more keys follow it. */
  private static final String ADAPTIVE =
      "    type: double\n"
          + "    aggregation: adaptive_interval\n"
          + "    window: { type: lifetime, hop: 10s }\n";

  private static final String NEED_ORDER = "; need 0 < min <= initial <= max";

  @TempDir Path dir;

  static Stream<Arguments> rules() {
    return Stream.of(
        rule(
            "key type must match the event field",
            "type: string }",
            "type: long }",
            "6:48: entity.keys[0].type: 'long' does not match user_id, which is a string; use type:"
                + " string"),
        rule(
            "a key field appears once",
            "keys: [{ field: user_id, type: string }]",
            "keys: [{ field: user_id, type: string }, { field: user_id, type: string }]",
            "6:66: entity.keys[1].field: 'user_id' appears twice in the key"),
        rule(
            "ratio needs a numerator",
            "    type: long\n    aggregation: count\n",
            "    type: double\n    aggregation: ratio\n    denominator: \"true\"\n",
            "8:5: features[0].numerator: is required for ratio: a CEL condition, e.g. action =="
                + " 'skip'"),
        rule(
            "count takes no input",
            "    aggregation: count\n",
            "    aggregation: count\n    input: played_ms\n",
            "11:5: features[0].input: count takes no input; use filter to choose the events"),
        rule(
            "only ratio has a numerator",
            "    aggregation: count\n",
            "    aggregation: count\n    numerator: action == 'skip'\n",
            "11:5: features[0].numerator: only ratio has a numerator; remove it"),
        rule(
            "a long feature cannot hold a double input",
            "    aggregation: count\n",
            "    aggregation: sum\n    input: double(played_ms) / 2.0\n",
            "9:5: features[0].type: 'long' cannot hold the double input 'double(played_ms) / 2.0';"
                + " use type: double"),
        rule(
            "CEL must parse",
            "    aggregation: count\n",
            "    aggregation: count\n    filter: action ==\n",
            "11:5: features[0].filter: 'action ==' is not valid CEL over behaviour events: at 1:10:"
                + " mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!',"
                + " 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"),
        rule(
            "feature names are not reserved columns",
            "  - name: plays",
            "  - name: feature_time",
            "8:5: features[0].name: 'feature_time' is a reserved column of the offline table;"
                + " rename it"),
        rule(
            "feature names are not key fields",
            "  - name: plays",
            "  - name: user_id",
            "8:5: features[0].name: 'user_id' is a reserved column of the offline table; rename it"),
        rule(
            "feature names are unique",
            "state_ttl: 2h",
            "  - { name: plays, type: long, aggregation: count, window: { type: tumbling, size: 1m }"
                + " }\nstate_ttl: 2h",
            "12:7: features[1].name: 'plays' appears twice in this contract"),
        rule(
            "unknown aggregation",
            "aggregation: count",
            "aggregation: median",
            "10:5: features[0].aggregation: 'median' is not valid; expected count, sum, avg, min,"
                + " max, first, last, ratio, stddev, distinct_count, top_k or adaptive_interval"),
        rule(
            "unknown feature type",
            "    type: long\n",
            "    type: int\n",
            "9:5: features[0].type: 'int' is not valid; expected long, double or string_list"),
        rule(
            "unknown key type",
            "type: string }",
            "type: uuid }",
            "6:48: entity.keys[0].type: 'uuid' is not valid; expected string or long"),
        rule(
            "window size is positive",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: tumbling, size: 0s }",
            "11:31: features[0].window.size: must be positive"),
        rule(
            "sliding needs a hop",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: sliding, size: 10m }",
            "11:5: features[0].window.hop: is required: a duration such as 500ms, 30s, 10m, 2h or"
                + " 7d"),
        rule(
            "tumbling has no hop",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: tumbling, size: 10m, hop: 1m }",
            "11:42: features[0].window.hop: a tumbling window has no hop; use type: sliding"),
        rule(
            "source is required",
            "source: { stream: behaviour }\n",
            "",
            "1:1: source: is required: {stream: behaviour or file, filter: optional CEL}"),
        rule(
            "entity keys are required",
            "entity: { name: user, keys: [{ field: user_id, type: string }] }",
            "entity: { name: user }",
            "6:1: entity.keys: is required: a list of {field, type}, e.g. [{field: user_id, type:"
                + " string}]"),
        rule(
            "online needs enabled",
            "offline: { table: listening }",
            "offline: { table: listening }\nonline: { feast_project: recs }",
            "15:1: online.enabled: is required: true or false"),
        rule(
            "tags are a list",
            "description: test",
            "description: test\ntags: recommendations",
            "5:1: tags: must be a list of strings, e.g. [recommendations, pii-free]"),
        rule(
            "version is at least 1",
            "version: 1",
            "version: 0",
            "2:1: version: '0' must be a whole number from 1 to 999"),
        rule(
            "freshness_sla is required",
            "freshness_sla: 5s\n",
            "",
            "1:1: freshness_sla: is required: a duration such as 500ms, 30s, 10m, 2h or 7d"),
        rule(
            "a long feature's default is a whole number",
            "    aggregation: count\n",
            "    aggregation: count\n    default: 0.5\n",
            "11:5: features[0].default: '0.5' is not a whole number; a long feature needs one, e.g."
                + " 0"),
        rule(
            "a default is a number",
            "    aggregation: count\n",
            "    aggregation: count\n    default: none\n",
            "11:5: features[0].default: 'none' must be a number, e.g. default: 0"),
        rule(
            "a derived expression is valid CEL over the features",
            "state_ttl: 2h",
            "derived: [{ name: share, type: double, expression: plays / skips }]\nstate_ttl: 2h",
            "12:40: derived[0].expression: 'plays / skips' is not valid CEL over this contract's"
                + " features: at 1:9: undeclared reference to 'skips'"),
        rule(
            "a long derived feature needs an int",
            "state_ttl: 2h",
            "derived: [{ name: half, type: long, expression: double(plays) / 2.0 }]\nstate_ttl: 2h",
            "12:37: derived[0].expression: 'double(plays) / 2.0' is double; a long feature needs an"
                + " int"),
        rule(
            "a derived name is a new column",
            "state_ttl: 2h",
            "derived: [{ name: plays, type: long, expression: plays }]\nstate_ttl: 2h",
            "12:13: derived[0].name: 'plays' is already a column of this contract; rename it"),
        rule(
            "an emit interval is positive",
            "state_ttl: 2h",
            "emit: { min_interval: 0s }\nstate_ttl: 2h",
            "12:9: emit.min_interval: '0s' must be positive; remove emit to write every change"),
        rule(
            "distinct_count is a long",
            COUNT,
            "    type: double\n    aggregation: distinct_count\n    input: song_id\n",
            "9:5: features[0].type: 'double' does not fit distinct_count, which is a long; use type:"
                + " long"),
        rule(
            "distinct_count needs one value per event",
            "    aggregation: count\n",
            "    aggregation: distinct_count\n    input: tags\n",
            "11:5: features[0].input: 'tags' is list(string); distinct_count needs one string, int,"
                + " double or bool per event, e.g. song_id"),
        rule(
            "a distinct_count default is a whole number",
            "    aggregation: count\n",
            "    aggregation: distinct_count\n    input: song_id\n    default: 1.5\n",
            "12:5: features[0].default: '1.5' is not a whole number; a long feature needs one, e.g."
                + " 0"),
        rule(
            "top_k needs k",
            COUNT,
            "    type: string_list\n    aggregation: top_k\n    input: artist_id\n",
            "8:5: features[0].k: is required for top_k: how many values to keep, 1 to 100, e.g. k:"
                + " 10"),
        rule(
            "k is a whole number",
            COUNT,
            TOP_K.replace("k: 10", "k: 2.5"),
            "11:5: features[0].k: '2.5' must be a whole number from 1 to 100, e.g. k: 10"),
        rule(
            "k is at least 1",
            COUNT,
            TOP_K.replace("k: 10", "k: 0"),
            "11:5: features[0].k: '0' must be a whole number from 1 to 100, e.g. k: 10"),
        rule(
            "k is at most 100",
            COUNT,
            TOP_K.replace("k: 10", "k: 101"),
            "11:5: features[0].k: '101' must be a whole number from 1 to 100, e.g. k: 10"),
        rule(
            "only top_k has a k",
            "    aggregation: count\n",
            "    aggregation: count\n    k: 10\n",
            "11:5: features[0].k: only top_k has a k; remove it"),
        rule(
            "top_k needs a string",
            COUNT,
            TOP_K.replace("input: artist_id", "input: played_ms"),
            "12:5: features[0].input: 'played_ms' is int; top_k needs a string; use"
                + " string(played_ms)"),
        rule(
            "top_k needs one string per event",
            COUNT,
            TOP_K.replace("input: artist_id", "input: tags"),
            "12:5: features[0].input: 'tags' is list(string); top_k needs one string per event, e.g."
                + " artist_id"),
        rule(
            "top_k is a string_list",
            COUNT,
            TOP_K.replace("string_list", "long"),
            "9:5: features[0].type: 'long' does not fit top_k, which is a string_list; use type:"
                + " string_list"),
        rule(
            "top_k has no default",
            COUNT,
            TOP_K + "    default: 0\n",
            "13:5: features[0].default: top_k's empty value is the empty list; remove default"),
        rule(
            "string_list is for top_k only",
            COUNT,
            "    type: string_list\n    aggregation: sum\n    input: played_ms\n",
            "9:5: features[0].type: 'string_list' does not fit sum, which is a number; use type: long"
                + " or double"),
        rule(
            "a derived feature is long or double",
            "state_ttl: 2h",
            "derived: [{ name: again, type: string_list, expression: plays }]\nstate_ttl: 2h",
            "12:26: derived[0].type: 'string_list' is not valid; expected long or double"),
        rule(
            "a derived feature reads a string_list as a list",
            "state_ttl: 2h",
            "  - { name: top, type: string_list, aggregation: top_k, k: 3, input: artist_id,"
                + " window: { type: tumbling, size: 1m } }\n"
                + "derived: [{ name: top_again, type: long, expression: top }]\nstate_ttl: 2h",
            "13:42: derived[0].expression: 'top' is list(string); a long feature needs an int"),
        rule(
            "a lifetime window has no size",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: lifetime, size: 10m, hop: 1m }",
            "11:31: features[0].window.size: a lifetime window has no size; remove it"),
        rule(
            "a lifetime window needs a hop",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: lifetime }",
            "11:5: features[0].window.hop: is required: a duration such as 500ms, 30s, 10m, 2h or"
                + " 7d"),
        rule(
            "a lifetime window's hop is positive",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: lifetime, hop: 0s }",
            "11:31: features[0].window.hop: '0s' must be positive, e.g. hop: 1h"),
        rule(
            "unknown window type",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: hopping, size: 10m }",
            "11:15: features[0].window.type: 'hopping' is not a window type; expected sliding,"
                + " tumbling or lifetime"),
        rule(
            "state_ttl covers a lifetime window's hop",
            "{ type: sliding, size: 10m, hop: 1m }",
            "{ type: lifetime, hop: 3h }",
            "12:1: state_ttl: '2h' is shorter than the largest window plus allowed_lateness; set it"
                + " to at least 3h, or state expires while its window is open"),
        rule(
            "adaptive_interval is a double",
            COUNT_WINDOW,
            ADAPTIVE.replace("double", "long"),
            "9:5: features[0].type: 'long' does not fit adaptive_interval, which is a double; use"
                + " type: double"),
        rule(
            "adaptive_interval takes no input",
            COUNT_WINDOW,
            ADAPTIVE + "    input: played_ms\n",
            "12:5: features[0].input: adaptive_interval takes no input; use filter to choose the"
                + " events"),
        rule(
            "adaptive_interval has no default",
            COUNT_WINDOW,
            ADAPTIVE + "    default: 10\n",
            "12:5: features[0].default: adaptive_interval has no value before the entity's first"
                + " change; remove default"),
        rule(
            "adaptive_interval needs a lifetime window",
            COUNT_WINDOW,
            ADAPTIVE.replace(
                "{ type: lifetime, hop: 10s }", "{ type: sliding, size: 10m, hop: 1m }"),
            "11:15: features[0].window.type: 'sliding' does not fit adaptive_interval, whose"
                + " interval lives for the entity's life; use {type: lifetime, hop: 10s}"),
        rule(
            "only adaptive_interval has an adaptive block",
            "    aggregation: count\n",
            "    aggregation: count\n    adaptive: { initial: 10s }\n",
            "11:5: features[0].adaptive: only adaptive_interval has an adaptive block; remove it"),
        rule(
            "the adaptive block is a mapping",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: 10s\n",
            "12:5: features[0].adaptive: must be a mapping such as {initial: 10s, min: 1s, max:"
                + " 300s, quiet_factor: 1.5, busy_factor: 0.7, busy_at: 3}, or absent for those"
                + " defaults"),
        rule(
            "the adaptive block has known keys only",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { initial: 10s, step: 2 }\n",
            "12:31: features[0].adaptive.step: unknown field; expected one of [busy_at,"
                + " busy_factor, initial, max, min, quiet_factor]"),
        rule(
            "adaptive durations are durations",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { initial: ten }\n",
            "12:17: features[0].adaptive.initial: 'ten' is not a duration such as 500ms, 30s, 10m,"
                + " 2h or 7d"),
        rule(
            "adaptive min is positive",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { min: 0s }\n",
            "12:17: features[0].adaptive.min: '0s' must be positive, e.g. min: 1s"),
        rule(
            "adaptive initial is at least min",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { initial: 500ms }\n",
            "12:17: features[0].adaptive.initial: '500ms' is below min 1s (the default)"
                + NEED_ORDER),
        rule(
            "adaptive initial is at most max",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { initial: 400s }\n",
            "12:17: features[0].adaptive.initial: '400s' is above max 5m (the default)"
                + NEED_ORDER),
        rule(
            "adaptive min is at most the default initial",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { min: 20s }\n",
            "12:17: features[0].adaptive.min: '20s' is above initial 10s (the default)"
                + NEED_ORDER),
        rule(
            "adaptive max is at least the default initial",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { max: 5s }\n",
            "12:17: features[0].adaptive.max: '5s' is below initial 10s (the default)"
                + NEED_ORDER),
        rule(
            "adaptive max is at least min",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { min: 10s, max: 5s }\n",
            "12:27: features[0].adaptive.max: '5s' is below min 10s" + NEED_ORDER),
        rule(
            "quiet_factor is above 1",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { quiet_factor: 1 }\n",
            "12:17: features[0].adaptive.quiet_factor: '1' must be a number above 1, e.g."
                + " quiet_factor: 1.5"),
        rule(
            "busy_factor is below 1",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { busy_factor: 1.2 }\n",
            "12:17: features[0].adaptive.busy_factor: '1.2' must be a number above 0 and below 1,"
                + " e.g. busy_factor: 0.7"),
        rule(
            "busy_factor is above 0",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { busy_factor: 0 }\n",
            "12:17: features[0].adaptive.busy_factor: '0' must be a number above 0 and below 1,"
                + " e.g. busy_factor: 0.7"),
        rule(
            "busy_at is at least 1",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { busy_at: 0 }\n",
            "12:17: features[0].adaptive.busy_at: '0' must be a whole number of at least 1, e.g."
                + " busy_at: 3"),
        rule(
            "busy_at is a whole number",
            COUNT_WINDOW,
            ADAPTIVE + "    adaptive: { busy_at: 2.5 }\n",
            "12:17: features[0].adaptive.busy_at: '2.5' must be a whole number of at least 1, e.g."
                + " busy_at: 3"),
        rule(
            "offline partitions are a prefix of [event_date, event_hour]",
            "offline: { table: listening }",
            "offline: { table: listening, partition_by: [event_hour] }",
            "14:30: offline.partition_by: '[event_hour]' is not valid; expected [] (unpartitioned),"
                + " [event_date] or [event_date, event_hour]"),
        rule(
            "offline partitions are a list",
            "offline: { table: listening }",
            "offline: { table: listening, partition_by: event_date }",
            "14:30: offline.partition_by: 'event_date' is not valid; expected [] (unpartitioned),"
                + " [event_date] or [event_date, event_hour]"),
        rule(
            "feature names are not the hour partition column",
            "  - name: plays",
            "  - name: event_hour",
            "8:5: features[0].name: 'event_hour' is a reserved column of the offline table; rename"
                + " it"),
        rule(
            "offline table is snake_case",
            "table: listening",
            "table: Listening-Table",
            "14:12: offline.table: 'Listening-Table' must be snake_case: a-z, 0-9 and _, starting"
                + " with a letter"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleReportsOneExactProblem(String rule, String from, String to, String expected)
      throws IOException {
    assertThat(VALID).contains(from);
    Path file = Files.writeString(dir.resolve("contract.yaml"), VALID.replace(from, to));

    assertThat(problems(file)).containsExactly(file + ":" + expected);
  }

  private static Arguments rule(String rule, String from, String to, String expected) {
    return Arguments.of(rule, from, to, expected);
  }

  private static List<String> problems(Path file) {
    try {
      new ContractLoader().loadFiles(List.of(file));
      return List.of();
    } catch (ContractValidationException e) {
      return e.problems().stream().map(ContractProblem::toString).toList();
    }
  }
}
