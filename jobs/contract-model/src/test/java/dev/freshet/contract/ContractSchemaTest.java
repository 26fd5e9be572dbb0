package dev.freshet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import dev.freshet.events.FieldType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schema of contracts ({@code contracts/schema/contract.schema.json}, what editors use
 * while typing) against the contracts and against {@link ContractLoader} (what the job enforces):
 * the project's contracts pass both; broken contracts fail both at the same field; the keys, enums
 * and entity key fields of the schema are those of the loader and the event schemas.
 */
class ContractSchemaTest {

  private static final Path PROJECT_CONTRACTS = Path.of("../../contracts");
  private static final Path SCHEMA_FILE = PROJECT_CONTRACTS.resolve("schema/contract.schema.json");

  /** Valid samples, read where they are written so that their modelines resolve as in an editor. */
  private static final Path VALID_SAMPLES = Path.of("src/test/resources/contracts/valid");

  private static final Pattern MODELINE =
      Pattern.compile("# yaml-language-server: \\$schema=(\\S+)");

  /**
   * The keys the language has at each level, kept here on purpose: the schema and the loader are
   * each compared with these lists, so a key added to or removed from one of them alone fails.
   */
  private static final List<String> TOP_LEVEL_KEYS =
      List.of(
          "name",
          "version",
          "owner",
          "description",
          "tags",
          "lifecycle",
          "source",
          "entity",
          "features",
          "derived",
          "state_ttl",
          "online_ttl",
          "serving_max_age",
          "freshness_sla",
          "allowed_lateness",
          "emit",
          "offline",
          "online");

  private static final List<String> FEATURE_KEYS =
      List.of(
          "name",
          "type",
          "aggregation",
          "k",
          "input",
          "filter",
          "numerator",
          "denominator",
          "window",
          "default",
          "adaptive");
  private static final List<String> ADAPTIVE_KEYS =
      List.of("initial", "min", "max", "quiet_factor", "busy_factor", "busy_at");
  private static final List<String> SOURCE_KEYS = List.of("stream", "filter");
  private static final List<String> ENTITY_KEYS = List.of("name", "keys");
  private static final List<String> ENTITY_KEY_KEYS = List.of("field", "type");
  private static final List<String> WINDOW_KEYS = List.of("type", "size", "hop");
  private static final List<String> OFFLINE_KEYS = List.of("table", "partition_by");
  private static final List<String> ONLINE_KEYS =
      List.of("enabled", "feast_project", "feature_view");

  /** A valid contract in block style; the broken ones below each change it in one place. */
  private static final String BASE =
      """
      name: listening
      version: 1
      owner: recs
      description: test
      source:
        stream: behaviour
        filter: action != 'search'
      entity:
        name: user
        keys:
          - field: user_id
            type: string
      features:
        - name: plays
          type: long
          aggregation: count
          filter: action == 'play'
          window:
            type: sliding
            size: 10m
            hop: 1m
      state_ttl: 2h
      freshness_sla: 5s
      offline:
        table: listening
      """;

  private static final String COUNT_FEATURE =
      "    type: long\n    aggregation: count\n    filter: action == 'play'\n";
  private static final String WINDOW =
      "    window:\n      type: sliding\n      size: 10m\n      hop: 1m\n";
  private static final String DISTINCT_COUNT_FEATURE =
      "    type: long\n    aggregation: distinct_count\n    input: song_id\n";
  private static final String TOP_K_FEATURE =
      "    type: string_list\n    aggregation: top_k\n    k: 10\n    input: artist_id\n";
  private static final String ADAPTIVE_FEATURE =
      "    type: double\n    aggregation: adaptive_interval\n    filter: action == 'play'\n";
  private static final String LIFETIME_WINDOW =
      "    window:\n      type: lifetime\n      hop: 1m\n";

  /** The feature of {@link #BASE} made an adaptive_interval over a lifetime window. */
  private static final String ADAPTIVE_BASE =
      BASE.replace(COUNT_FEATURE + WINDOW, ADAPTIVE_FEATURE + LIFETIME_WINDOW);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode schemaTree;
  private static JsonSchema schema;

  @TempDir Path dir;

  private final ContractLoader loader = new ContractLoader();

  @BeforeAll
  static void loadSchema() throws IOException {
    schemaTree = JSON.readTree(SCHEMA_FILE.toFile());
    // Editor-only annotations (yaml-language-server's messages and snippets) are not validation.
    JsonMetaSchema metaSchema =
        JsonMetaSchema.builder(JsonMetaSchema.getV7())
            .keywords(
                List.of(
                    new NonValidationKeyword("errorMessage"),
                    new NonValidationKeyword("patternErrorMessage"),
                    new NonValidationKeyword("defaultSnippets")))
            .build();
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V7, builder -> builder.metaSchema(metaSchema));
    schema = factory.getSchema(SCHEMA_FILE.toAbsolutePath().normalize().toUri(), schemaTree);
  }

  // (a) the project's contracts, and the schema itself

  @Test
  void theSchemaIsAValidDraft07Schema() {
    JsonSchema draft07 =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
            .getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"));

    assertThat(schemaTree.path("$schema").asText())
        .isEqualTo("http://json-schema.org/draft-07/schema#");
    assertThat(draft07.validate(schemaTree)).isEmpty();
  }

  @Test
  void everyProjectContractNamesTheSchemaInItsFirstLine() throws IOException {
    List<Path> contracts = projectContracts().toList();

    assertThat(contracts).hasSizeGreaterThanOrEqualTo(5);
    for (Path contract : contracts) {
      assertThat(Files.readAllLines(contract).get(0))
          .as(contract.toString())
          .isEqualTo("# yaml-language-server: $schema=schema/contract.schema.json");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validContracts")
  void everyValidContractPassesTheSchemaAndTheLoader(Path file) throws IOException {
    String text = Files.readString(file);

    assertThat(schemaErrors(loaderTree(text))).as("schema errors").isEmpty();
    assertThat(schemaErrors(editorTree(text)))
        .as("schema errors, YAML as Jackson reads it")
        .isEmpty();
    assertThat(loaderProblems(file)).as("loader problems").isEmpty();
    Matcher modeline = MODELINE.matcher(text.lines().findFirst().orElse(""));
    assertThat(modeline.matches()).as("first line names the schema").isTrue();
    assertThat(file.getParent().resolve(modeline.group(1)).toAbsolutePath().normalize())
        .isEqualTo(SCHEMA_FILE.toAbsolutePath().normalize());
  }

  static Stream<Path> validContracts() {
    return Stream.concat(projectContracts(), yamlFiles(VALID_SAMPLES));
  }

  // (b) and (c) broken contracts: the schema and the loader each reject them, at the same field

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenContracts")
  void theSchemaRejectsEachBrokenContractAtTheFieldAtFault(Broken broken) throws IOException {
    assertThat(schemaErrorPaths(loaderTree(broken.yaml())))
        .as("schema errors of\n%s", broken.yaml())
        .isEqualTo(broken.fields());
    assertThat(schemaErrorPaths(editorTree(broken.yaml())))
        .as("schema errors of\n%s\nread as YAML by Jackson", broken.yaml())
        .isEqualTo(broken.fields());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenContracts")
  void theLoaderRejectsEachBrokenContractAtTheSameField(Broken broken) throws IOException {
    Path file = Files.writeString(dir.resolve("contract.yaml"), broken.yaml());

    assertThat(fieldsOf(loaderProblems(file)))
        .as("loader problems of\n%s", broken.yaml())
        .isEqualTo(broken.fields());
  }

  static Stream<Broken> brokenContracts() {
    String ratio =
        "    type: double\n    aggregation: ratio\n"
            + "    numerator: action == 'skip'\n    denominator: \"true\"\n";
    String onlineOn = "online_ttl: 1d\nserving_max_age: 1h\nonline:\n  enabled: true\n";
    return Stream.of(
        // unknown keys, at every level
        appended("unknown top-level key", "colour: blue\n", "colour"),
        changed(
            "unknown key in source",
            "source.colour",
            "  filter: action != 'search'\n",
            "  filter: action != 'search'\n  colour: blue\n"),
        changed(
            "unknown key in entity",
            "entity.colour",
            "  name: user\n",
            "  name: user\n  colour: blue\n"),
        changed(
            "unknown key in an entity key",
            "entity.keys[0].colour",
            "      type: string\n",
            "      type: string\n      colour: blue\n"),
        changed(
            "unknown key in a feature",
            "features[0].colour",
            "    aggregation: count\n",
            "    aggregation: count\n    colour: blue\n"),
        changed(
            "unknown key in a window",
            "features[0].window.colour",
            "      hop: 1m\n",
            "      hop: 1m\n      colour: blue\n"),
        changed(
            "unknown key in offline",
            "offline.colour",
            "  table: listening\n",
            "  table: listening\n  colour: blue\n"),
        appended(
            "unknown key in online",
            "online:\n  enabled: false\n  colour: blue\n",
            "online.colour"),
        // enumerations
        changed("unknown stream", "source.stream", "stream: behaviour", "stream: music"),
        appended("unknown lifecycle", "lifecycle: retired\n", "lifecycle"),
        changed(
            "unknown aggregation",
            "features[0].aggregation",
            "aggregation: count",
            "aggregation: median"),
        changed("unknown feature type", "features[0].type", "    type: long\n", "    type: int\n"),
        changed(
            "unknown key type", "entity.keys[0].type", "      type: string\n", "      type: int\n"),
        changed(
            "unknown window type",
            "features[0].window.type",
            "      type: sliding\n",
            "      type: hopping\n"),
        changed(
            "key field not in the stream",
            "entity.keys[0].field",
            "field: user_id",
            "field: usr_id"),
        changed(
            "string key type for a long field",
            "entity.keys[0].type",
            "field: user_id",
            "field: played_ms"),
        changed(
            "string key type for a long field of file events",
            "entity.keys[0].type",
            "  stream: behaviour\n  filter: action != 'search'\n",
            "  stream: file\n",
            "field: user_id",
            "field: inode",
            "    filter: action == 'play'\n",
            ""),
        // durations
        changed("word for a duration", "state_ttl", "state_ttl: 2h", "state_ttl: soon"),
        changed("fractional duration", "freshness_sla", "freshness_sla: 5s", "freshness_sla: 1.5s"),
        changed("duration without unit", "freshness_sla", "freshness_sla: 5s", "freshness_sla: 5"),
        changed("duration in words", "features[0].window.size", "size: 10m", "size: 10 minutes"),
        appended("unit spelled out", "allowed_lateness: 2 seconds\n", "allowed_lateness"),
        changed("zero window size", "features[0].window.size", "size: 10m", "size: 0s"),
        changed("zero hop", "features[0].window.hop", "hop: 1m", "hop: 0m"),
        // names
        changed("contract name not snake_case", "name", "name: listening", "name: Listening-1"),
        changed(
            "contract name of 64 characters",
            "name",
            "name: listening",
            "name: l" + "x".repeat(63)),
        changed("feature name not snake_case", "features[0].name", "name: plays", "name: Plays"),
        changed(
            "feature named like a reserved column",
            "features[0].name",
            "name: plays",
            "name: feature_time"),
        changed("entity name not snake_case", "entity.name", "name: user\n", "name: User\n"),
        changed(
            "table name not snake_case",
            "offline.table",
            "table: listening",
            "table: listening-table"),
        // windows
        changed("sliding window without hop", "features[0].window.hop", "      hop: 1m\n", ""),
        changed(
            "tumbling window with hop",
            "features[0].window.hop",
            "type: sliding",
            "type: tumbling"),
        changed("feature without window", "features[0].window", WINDOW, ""),
        changed("window without size", "features[0].window.size", "      size: 10m\n", ""),
        // aggregations and their inputs
        changed(
            "ratio without numerator",
            "features[0].numerator",
            COUNT_FEATURE,
            ratio.replace("    numerator: action == 'skip'\n", "")),
        changed(
            "ratio without denominator",
            "features[0].denominator",
            COUNT_FEATURE,
            ratio.replace("    denominator: \"true\"\n", "")),
        changed(
            "ratio with input",
            "features[0].input",
            COUNT_FEATURE,
            ratio + "    input: played_ms\n"),
        changed(
            "count with input",
            "features[0].input",
            "    aggregation: count\n",
            "    aggregation: count\n    input: played_ms\n"),
        changed(
            "count with numerator",
            "features[0].numerator",
            "    aggregation: count\n",
            "    aggregation: count\n    numerator: action == 'skip'\n"),
        changed("sum without input", "features[0].input", "aggregation: count", "aggregation: sum"),
        changed("count typed double", "features[0].type", "    type: long\n", "    type: double\n"),
        changed(
            "avg typed long",
            "features[0].type",
            "aggregation: count",
            "aggregation: avg\n    input: played_ms"),
        changed("condition that is a boolean", "source.filter", "action != 'search'", "true"),
        // distinct_count and top_k
        changed(
            "distinct_count without input",
            "features[0].input",
            "aggregation: count",
            "aggregation: distinct_count"),
        changed(
            "distinct_count typed double",
            "features[0].type",
            COUNT_FEATURE,
            DISTINCT_COUNT_FEATURE.replace("type: long", "type: double")),
        changed(
            "distinct_count with numerator",
            "features[0].numerator",
            COUNT_FEATURE,
            DISTINCT_COUNT_FEATURE + "    numerator: action == 'skip'\n"),
        changed(
            "top_k without k",
            "features[0].k",
            COUNT_FEATURE,
            TOP_K_FEATURE.replace("    k: 10\n", "")),
        changed("k of 0", "features[0].k", COUNT_FEATURE, TOP_K_FEATURE.replace("k: 10", "k: 0")),
        changed(
            "k of 101", "features[0].k", COUNT_FEATURE, TOP_K_FEATURE.replace("k: 10", "k: 101")),
        changed(
            "fractional k",
            "features[0].k",
            COUNT_FEATURE,
            TOP_K_FEATURE.replace("k: 10", "k: 2.5")),
        changed(
            "k in words", "features[0].k", COUNT_FEATURE, TOP_K_FEATURE.replace("k: 10", "k: ten")),
        changed(
            "k on count",
            "features[0].k",
            "    aggregation: count\n",
            "    aggregation: count\n    k: 10\n"),
        changed(
            "top_k typed long",
            "features[0].type",
            COUNT_FEATURE,
            TOP_K_FEATURE.replace("type: string_list", "type: long")),
        changed(
            "top_k with default",
            "features[0].default",
            COUNT_FEATURE,
            TOP_K_FEATURE + "    default: 0\n"),
        changed(
            "top_k without input",
            "features[0].input",
            COUNT_FEATURE,
            TOP_K_FEATURE.replace("    input: artist_id\n", "")),
        changed(
            "sum typed string_list",
            "features[0].type",
            COUNT_FEATURE,
            "    type: string_list\n    aggregation: sum\n    input: played_ms\n"),
        appended(
            "derived typed string_list",
            "derived:\n  - name: same_plays\n    type: string_list\n    expression: plays\n",
            "derived[0].type"),
        // adaptive_interval and its adaptive block
        adaptive("adaptive_interval typed long", "features[0].type", "type: double", "type: long"),
        adaptive(
            "adaptive_interval with input",
            "features[0].input",
            "    aggregation: adaptive_interval\n",
            "    aggregation: adaptive_interval\n    input: played_ms\n"),
        adaptive(
            "adaptive_interval with k",
            "features[0].k",
            "    aggregation: adaptive_interval\n",
            "    aggregation: adaptive_interval\n    k: 3\n"),
        adaptive(
            "adaptive_interval with numerator",
            "features[0].numerator",
            "    aggregation: adaptive_interval\n",
            "    aggregation: adaptive_interval\n    numerator: action == 'skip'\n"),
        adaptive(
            "adaptive_interval with default",
            "features[0].default",
            "    aggregation: adaptive_interval\n",
            "    aggregation: adaptive_interval\n    default: 10\n"),
        adaptive(
            "adaptive_interval over a sliding window",
            "features[0].window.type",
            LIFETIME_WINDOW,
            WINDOW),
        adaptive(
            "adaptive_interval over a tumbling window",
            "features[0].window.type",
            LIFETIME_WINDOW,
            "    window:\n      type: tumbling\n      size: 1m\n"),
        changed(
            "adaptive block on count",
            "features[0].adaptive",
            "    aggregation: count\n",
            "    aggregation: count\n    adaptive:\n      initial: 10s\n"),
        adaptiveBlock("adaptive block not a mapping", "features[0].adaptive", " 10s"),
        adaptiveBlock(
            "unknown key in adaptive", "features[0].adaptive.colour", "\n      colour: blue"),
        adaptiveBlock(
            "adaptive initial in words", "features[0].adaptive.initial", "\n      initial: soon"),
        adaptiveBlock("adaptive min of 0s", "features[0].adaptive.min", "\n      min: 0s"),
        adaptiveBlock("adaptive max of 0s", "features[0].adaptive.max", "\n      max: 0s"),
        adaptiveBlock(
            "quiet_factor of 1", "features[0].adaptive.quiet_factor", "\n      quiet_factor: 1"),
        adaptiveBlock(
            "quiet_factor in words",
            "features[0].adaptive.quiet_factor",
            "\n      quiet_factor: fast"),
        adaptiveBlock(
            "busy_factor of 1", "features[0].adaptive.busy_factor", "\n      busy_factor: 1"),
        adaptiveBlock(
            "busy_factor of 0", "features[0].adaptive.busy_factor", "\n      busy_factor: 0"),
        adaptiveBlock("busy_at of 0", "features[0].adaptive.busy_at", "\n      busy_at: 0"),
        adaptiveBlock("fractional busy_at", "features[0].adaptive.busy_at", "\n      busy_at: 2.5"),
        // lifetime windows
        changed(
            "lifetime window with size",
            "features[0].window.size",
            "      type: sliding\n",
            "      type: lifetime\n"),
        changed(
            "lifetime window without hop",
            "features[0].window.hop",
            WINDOW,
            "    window:\n      type: lifetime\n"),
        changed(
            "lifetime window with zero hop",
            "features[0].window.hop",
            WINDOW,
            "    window:\n      type: lifetime\n      hop: 0s\n"),
        // offline partitions
        changed(
            "partition by the hour alone",
            "offline.partition_by",
            "  table: listening\n",
            "  table: listening\n  partition_by: [event_hour]\n"),
        changed(
            "partition by the hour before the date",
            "offline.partition_by",
            "  table: listening\n",
            "  table: listening\n  partition_by: [event_hour, event_date]\n"),
        changed(
            "partition by another column",
            "offline.partition_by",
            "  table: listening\n",
            "  table: listening\n  partition_by: [user_id]\n"),
        changed(
            "partition_by not a list",
            "offline.partition_by",
            "  table: listening\n",
            "  table: listening\n  partition_by: event_date\n"),
        changed("feature named event_hour", "features[0].name", "name: plays", "name: event_hour"),
        // required fields and metadata
        changed("missing owner", "owner", "owner: recs\n", ""),
        changed(
            "missing source",
            "source",
            "source:\n  stream: behaviour\n  filter: action != 'search'\n",
            ""),
        changed("blank description", "description", "description: test", "description: ' '"),
        changed("version 0", "version", "version: 1", "version: 0"),
        changed("version 1000", "version", "version: 1", "version: 1000"),
        changed("version in words", "version", "version: 1", "version: one"),
        changed("fractional version", "version", "version: 1", "version: 1.5"),
        appended("empty tag", "tags: [ok, '']\n", "tags[1]"),
        appended("tags not a list", "tags: recs\n", "tags"),
        changed(
            "entity without keys",
            "entity.keys",
            "  keys:\n    - field: user_id\n      type: string\n",
            "  keys: []\n"),
        changed(
            "no features",
            "features",
            "features:\n  - name: plays\n" + COUNT_FEATURE + WINDOW,
            "features: []\n"),
        new Broken("a list, not a mapping", "- name: listening\n", Set.of("")),
        // the online store
        appended("online_ttl without online", "online_ttl: 1d\n", "online_ttl"),
        appended("serving_max_age without online", "serving_max_age: 1h\n", "serving_max_age"),
        appended(
            "online enabled without its times",
            "online:\n  enabled: true\n",
            "online_ttl",
            "serving_max_age"),
        appended("online without enabled", "online:\n  feast_project: freshet\n", "online.enabled"),
        appended("online enabled as a string", "online:\n  enabled: 'true'\n", "online.enabled"),
        appended(
            "feast_project not snake_case",
            onlineOn + "  feast_project: Freshet\n",
            "online.feast_project"),
        appended(
            "online_ttl not a duration",
            onlineOn.replace("online_ttl: 1d", "online_ttl: 1 day"),
            "online_ttl"));
  }

  // The schema and the loader agree on every combination of the conditional rules.

  @ParameterizedTest(name = "{0}")
  @MethodSource("aggregationShapes")
  void theSchemaAndTheLoaderAgreeOnEveryAggregationShape(String shape, String yaml)
      throws IOException {
    assertAgree(yaml);
  }

  static Stream<Arguments> aggregationShapes() {
    List<Arguments> shapes = new ArrayList<>();
    for (Aggregation aggregation : Aggregation.values()) {
      // An input of the type the aggregation takes: the schema cannot check CEL types.
      String input = aggregation == Aggregation.TOP_K ? "artist_id" : "played_ms";
      for (List<String> keys : subsets(List.of("input", "ratio", "k", "default"))) {
        for (FeatureType type : FeatureType.values()) {
          String feature =
              "    type: "
                  + type.yamlName()
                  + "\n    aggregation: "
                  + aggregation.yamlName()
                  + "\n"
                  + (keys.contains("input") ? "    input: " + input + "\n" : "")
                  + (keys.contains("ratio")
                      ? "    numerator: action == 'skip'\n    denominator: \"true\"\n"
                      : "")
                  + (keys.contains("k") ? "    k: 3\n" : "")
                  + (keys.contains("default") ? "    default: 0\n" : "");
          String shape = aggregation.yamlName() + " " + type.yamlName() + " with " + keys;
          shapes.add(Arguments.of(shape, BASE.replace(COUNT_FEATURE, feature)));
        }
      }
    }
    return shapes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("windowShapes")
  void theSchemaAndTheLoaderAgreeOnEveryWindowShape(String shape, String yaml) throws IOException {
    assertAgree(yaml);
  }

  static Stream<Arguments> windowShapes() {
    List<Arguments> shapes = new ArrayList<>();
    for (String type : Arrays.asList(null, "sliding", "tumbling", "lifetime")) {
      for (String size : Arrays.asList(null, "10m", "0s")) {
        for (String hop : Arrays.asList(null, "1m", "0s")) {
          String window =
              "    window:\n"
                  + (type == null ? "" : "      type: " + type + "\n")
                  + (size == null ? "" : "      size: " + size + "\n")
                  + (hop == null ? "" : "      hop: " + hop + "\n");
          String shape = "type " + type + ", size " + size + ", hop " + hop;
          shapes.add(Arguments.of(shape, BASE.replace(WINDOW, window)));
        }
      }
    }
    return shapes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adaptiveShapes")
  void theSchemaAndTheLoaderAgreeOnEveryAdaptiveBlock(String shape, String yaml)
      throws IOException {
    assertAgree(yaml);
  }

  /**
   * Each key of the adaptive block alone, valid and invalid, on adaptive_interval and on count;
   * values keep 0 < min <= initial <= max with the defaults, which a schema cannot compare.
   */
  static Stream<Arguments> adaptiveShapes() {
    List<String> blocks = new ArrayList<>();
    blocks.add(null);
    blocks.add("{}");
    blocks.add("fast");
    blocks.add("[10s]");
    blocks.add("{ colour: blue }");
    List<List<String>> values =
        List.of(
            List.of("initial", "5s", "1s", "300s", "0s", "1.5s", "10", "ten"),
            List.of("min", "500ms", "10s", "1 s", "0s", "-1s"),
            List.of("max", "10s", "1h", "0s", "300"),
            List.of("quiet_factor", "1.01", "2", "1", "0.5", "-2", "fast"),
            List.of("busy_factor", "0.01", "0.99", "0", "1", "1.5", "-0.5", "'0.5'"),
            List.of("busy_at", "1", "100", "0", "-3", "2.5", "three"));
    for (List<String> key : values) {
      for (String value : key.subList(1, key.size())) {
        blocks.add("{ " + key.get(0) + ": " + value + " }");
      }
    }
    blocks.add("{ initial: 20s, min: 2s, max: 1h, quiet_factor: 2, busy_factor: 0.5, busy_at: 5 }");
    List<Arguments> shapes = new ArrayList<>();
    for (String aggregation : List.of("adaptive_interval", "count")) {
      for (String block : blocks) {
        String feature =
            ADAPTIVE_FEATURE
                .replace(
                    "aggregation: adaptive_interval",
                    "aggregation: "
                        + aggregation
                        + (block == null ? "" : "\n    adaptive: " + block))
                .replace(
                    "type: double", aggregation.equals("count") ? "type: long" : "type: double");
        shapes.add(
            Arguments.of(
                aggregation + " with adaptive " + block,
                ADAPTIVE_BASE.replace(ADAPTIVE_FEATURE, feature)));
      }
    }
    return shapes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("partitionShapes")
  void theSchemaAndTheLoaderAgreeOnEveryPartitioning(String shape, String yaml) throws IOException {
    assertAgree(yaml);
  }

  static Stream<Arguments> partitionShapes() {
    List<Arguments> shapes = new ArrayList<>();
    for (String partitionBy :
        List.of(
            "[]",
            "[event_date]",
            "[event_date, event_hour]",
            "[event_hour]",
            "[event_hour, event_date]",
            "[event_date, event_date]",
            "[event_date, event_hour, event_date]",
            "[feature_time]",
            "event_date",
            "''",
            "{ event_date: true }")) {
      shapes.add(
          Arguments.of(
              partitionBy,
              BASE.replace(
                  "  table: listening\n",
                  "  table: listening\n  partition_by: " + partitionBy + "\n")));
    }
    return shapes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("onlineShapes")
  void theSchemaAndTheLoaderAgreeOnEveryOnlineShape(String shape, String yaml) throws IOException {
    assertAgree(yaml);
  }

  static Stream<Arguments> onlineShapes() {
    List<Arguments> shapes = new ArrayList<>();
    for (String online : Arrays.asList(null, "true", "false")) {
      for (boolean onlineTtl : List.of(false, true)) {
        for (boolean servingMaxAge : List.of(false, true)) {
          String extra =
              (online == null ? "" : "online:\n  enabled: " + online + "\n")
                  + (onlineTtl ? "online_ttl: 1d\n" : "")
                  + (servingMaxAge ? "serving_max_age: 1h\n" : "");
          String shape =
              "online "
                  + (online == null ? "absent" : "enabled " + online)
                  + (onlineTtl ? ", online_ttl" : "")
                  + (servingMaxAge ? ", serving_max_age" : "");
          shapes.add(Arguments.of(shape, BASE + extra));
        }
      }
    }
    return shapes.stream();
  }

  private void assertAgree(String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve("contract.yaml"), yaml);
    List<ContractProblem> loaderProblems = loaderProblems(file);
    Set<ValidationMessage> schemaErrors = schemaErrors(loaderTree(yaml));

    assertThat(schemaErrors.isEmpty())
        .as(
            "the schema %s and the loader %s\n%s\nschema: %s\nloader: %s",
            schemaErrors.isEmpty() ? "accepts" : "rejects",
            loaderProblems.isEmpty() ? "accepts" : "rejects",
            yaml,
            schemaErrors,
            loaderProblems)
        .isEqualTo(loaderProblems.isEmpty());
    // The loader stops at the first problem of a value, the schema does not: every problem the
    // loader finds is one an editor shows at the same place.
    assertThat(schemaErrorPaths(loaderTree(yaml))).containsAll(fieldsOf(loaderProblems));
  }

  // What a schema cannot say, and where it says more than the loader: the documented differences.

  @ParameterizedTest(name = "{0}")
  @MethodSource("rulesOnlyTheLoaderChecks")
  void rulesOnlyTheLoaderChecks(Broken broken) throws IOException {
    Path file = Files.writeString(dir.resolve("contract.yaml"), broken.yaml());

    assertThat(schemaErrors(loaderTree(broken.yaml()))).isEmpty();
    assertThat(fieldsOf(loaderProblems(file))).isEqualTo(broken.fields());
  }

  static Stream<Broken> rulesOnlyTheLoaderChecks() {
    return Stream.of(
        changed(
            "hop that does not divide the size", "features[0].window.hop", "hop: 1m", "hop: 3m"),
        changed("hop longer than the size", "features[0].window.hop", "hop: 1m", "hop: 20m"),
        changed(
            "state_ttl shorter than the largest window",
            "state_ttl",
            "state_ttl: 2h",
            "state_ttl: 5m"),
        changed(
            "state_ttl shorter than window plus allowed_lateness",
            "state_ttl",
            "state_ttl: 2h",
            "state_ttl: 10m\nallowed_lateness: 1s"),
        changed(
            "CEL that does not compile",
            "features[0].filter",
            "filter: action == 'play'",
            "filter: actoin == 'play'"),
        changed(
            "CEL condition that is not a boolean",
            "source.filter",
            "filter: action != 'search'",
            "filter: action"),
        changed(
            "input that is not a number",
            "features[0].input",
            "aggregation: count",
            "aggregation: sum\n    input: device"),
        changed(
            "long feature of a double input",
            "features[0].type",
            "aggregation: count",
            "aggregation: sum\n    input: double(played_ms)"),
        changed(
            "feature named like a key field", "features[0].name", "name: plays", "name: user_id"),
        changed(
            "distinct_count of a list",
            "features[0].input",
            COUNT_FEATURE,
            DISTINCT_COUNT_FEATURE.replace("song_id", "tags")),
        changed(
            "top_k of a number",
            "features[0].input",
            COUNT_FEATURE,
            TOP_K_FEATURE.replace("artist_id", "played_ms")),
        changed(
            "state_ttl shorter than a lifetime window's hop",
            "state_ttl",
            WINDOW,
            "    window:\n      type: lifetime\n      hop: 3h\n"),
        changed(
            "two features of one name",
            "features[1].name",
            WINDOW,
            WINDOW + "  - name: plays\n" + COUNT_FEATURE + WINDOW),
        appended(
            "online_ttl shorter than serving_max_age",
            "online_ttl: 10m\nserving_max_age: 1h\nonline:\n  enabled: true\n",
            "online_ttl"),
        adaptiveBlock(
            "adaptive initial above the default max",
            "features[0].adaptive.initial",
            "\n      initial: 400s"),
        adaptiveBlock(
            "adaptive min above the default initial",
            "features[0].adaptive.min",
            "\n      min: 20s"),
        adaptiveBlock(
            "adaptive max below min",
            "features[0].adaptive.max",
            "\n      min: 10s\n      max: 5s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rulesOnlyTheSchemaChecks")
  void rulesOnlyTheSchemaChecks(Broken broken) throws IOException {
    Path file = Files.writeString(dir.resolve("contract.yaml"), broken.yaml());

    assertThat(loaderProblems(file)).isEmpty();
    assertThat(schemaErrorPaths(loaderTree(broken.yaml()))).isEqualTo(broken.fields());
  }

  static Stream<Broken> rulesOnlyTheSchemaChecks() {
    return Stream.of(
        // The loader strips a quoted duration before reading it.
        changed("quoted duration with spaces", "state_ttl", "state_ttl: 2h", "state_ttl: ' 2h '"));
  }

  // (d) the keys, enums and key fields of the schema are those of the loader and the events

  @Test
  void theSchemaHasExactlyTheKeysOfTheLanguage() {
    assertThat(propertyNames(schemaTree)).containsExactlyElementsOf(TOP_LEVEL_KEYS);
    assertThat(propertyNames(at("source"))).containsExactlyElementsOf(SOURCE_KEYS);
    assertThat(propertyNames(at("entity"))).containsExactlyElementsOf(ENTITY_KEYS);
    assertThat(propertyNames(at("entity", "keys", "[]")))
        .containsExactlyElementsOf(ENTITY_KEY_KEYS);
    assertThat(propertyNames(at("features", "[]"))).containsExactlyElementsOf(FEATURE_KEYS);
    assertThat(propertyNames(at("features", "[]", "window")))
        .containsExactlyElementsOf(WINDOW_KEYS);
    assertThat(propertyNames(at("features", "[]", "adaptive")))
        .containsExactlyElementsOf(ADAPTIVE_KEYS);
    assertThat(propertyNames(at("offline"))).containsExactlyElementsOf(OFFLINE_KEYS);
    assertThat(propertyNames(at("online"))).containsExactlyElementsOf(ONLINE_KEYS);
  }

  @Test
  void theLoaderAcceptsExactlyTheKeysOfTheLanguage() throws IOException {
    // Its message for an unknown key lists the keys it accepts at that level.
    assertThat(keysTheLoaderAccepts("unknown top-level key")).isEqualTo(sorted(TOP_LEVEL_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in source")).isEqualTo(sorted(SOURCE_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in entity")).isEqualTo(sorted(ENTITY_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in an entity key"))
        .isEqualTo(sorted(ENTITY_KEY_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in a feature")).isEqualTo(sorted(FEATURE_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in a window")).isEqualTo(sorted(WINDOW_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in adaptive")).isEqualTo(sorted(ADAPTIVE_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in offline")).isEqualTo(sorted(OFFLINE_KEYS));
    assertThat(keysTheLoaderAccepts("unknown key in online")).isEqualTo(sorted(ONLINE_KEYS));
  }

  @Test
  void theSchemasEnumerationsAreTheModelsValues() {
    assertThat(strings(at("lifecycle").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Lifecycle.values()).map(Lifecycle::yamlName).toList());
    assertThat(strings(at("source", "stream").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(EventStream.values()).map(EventStream::sourceName).toList());
    assertThat(strings(at("entity", "keys", "[]", "type").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(KeyType.values()).map(KeyType::yamlName).toList());
    assertThat(strings(at("features", "[]", "type").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(FeatureType.values()).map(FeatureType::yamlName).toList());
    assertThat(strings(at("features", "[]", "aggregation").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Aggregation.values()).map(Aggregation::yamlName).toList());
    assertThat(strings(at("features", "[]", "window", "type").path("enum")))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Window.Kind.values())
                .map(kind -> kind.name().toLowerCase(Locale.ROOT))
                .toList());
  }

  @Test
  void theSchemasKeyFieldsAreTheEventSchemasFields() {
    for (EventStream stream : EventStream.values()) {
      JsonNode keyItem = keyItemRulesOf(stream);
      List<String> longFields =
          stream.fields().stream()
              .filter(f -> f.type() == FieldType.LONG)
              .map(EventField::name)
              .toList();
      List<String> stringFields =
          stream.fields().stream()
              .filter(f -> f.type() != FieldType.LONG)
              .map(EventField::name)
              .toList();

      assertThat(strings(keyItem.at("/properties/field/enum")))
          .as(stream.sourceName())
          .containsExactlyElementsOf(stream.fields().stream().map(EventField::name).toList());
      assertThat(fieldsWithKeyType(keyItem, "long")).as(stream.sourceName()).isEqualTo(longFields);
      assertThat(fieldsWithKeyType(keyItem, "string"))
          .as(stream.sourceName())
          .isEqualTo(stringFields);
    }
  }

  /** The rules the schema adds to entity key items when the source is {@code stream}. */
  private static JsonNode keyItemRulesOf(EventStream stream) {
    List<JsonNode> matches = new ArrayList<>();
    for (JsonNode rule : schemaTree.path("allOf")) {
      if (stream
          .sourceName()
          .equals(rule.at("/if/properties/source/properties/stream/const").asText(null))) {
        matches.add(rule.at("/then/properties/entity/properties/keys/items"));
      }
    }
    assertThat(matches).as("rules for %s key fields", stream.sourceName()).hasSize(1);
    return matches.get(0);
  }

  private static List<String> fieldsWithKeyType(JsonNode keyItem, String keyType) {
    List<String> fields = new ArrayList<>();
    for (JsonNode rule : keyItem.path("allOf")) {
      if (keyType.equals(rule.at("/then/properties/type/const").asText(null))) {
        fields.addAll(strings(rule.at("/if/properties/field/enum")));
      }
    }
    return fields;
  }

  private List<String> keysTheLoaderAccepts(String brokenContract) throws IOException {
    Broken broken =
        brokenContracts().filter(b -> b.name().equals(brokenContract)).findFirst().orElseThrow();
    Path file = Files.writeString(dir.resolve("contract.yaml"), broken.yaml());
    List<ContractProblem> problems = loaderProblems(file);
    assertThat(problems).hasSize(1);
    Matcher expected =
        Pattern.compile("unknown field; expected one of \\[(.*)]")
            .matcher(problems.get(0).message());
    assertThat(expected.matches()).as(problems.get(0).message()).isTrue();
    return List.of(expected.group(1).split(", "));
  }

  // helpers

  /** A contract that is invalid, and the fields (problem paths) at fault. */
  record Broken(String name, String yaml, Set<String> fields) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Broken appended(String name, String extra, String... fields) {
    return new Broken(name, BASE + extra, Set.of(fields));
  }

  /** BASE with each {@code from} (which must occur exactly once) replaced by the next string. */
  private static Broken changed(String name, String field, String... fromTo) {
    String yaml = BASE;
    for (int i = 0; i < fromTo.length; i += 2) {
      String from = fromTo[i];
      int first = yaml.indexOf(from);
      if (first < 0 || yaml.indexOf(from, first + 1) >= 0) {
        throw new IllegalArgumentException(name + ": '" + from + "' must occur exactly once");
      }
      yaml = yaml.replace(from, fromTo[i + 1]);
    }
    return new Broken(name, yaml, Set.of(field));
  }

  /** {@link #ADAPTIVE_BASE} with each {@code from} replaced by the next string. */
  private static Broken adaptive(String name, String field, String... fromTo) {
    String yaml = ADAPTIVE_BASE;
    for (int i = 0; i < fromTo.length; i += 2) {
      if (!yaml.contains(fromTo[i])) {
        throw new IllegalArgumentException(name + ": '" + fromTo[i] + "' must occur");
      }
      yaml = yaml.replace(fromTo[i], fromTo[i + 1]);
    }
    return new Broken(name, yaml, Set.of(field));
  }

  /** {@link #ADAPTIVE_BASE} with an adaptive block of {@code block} (its text after the key). */
  private static Broken adaptiveBlock(String name, String field, String block) {
    return adaptive(
        name,
        field,
        "    aggregation: adaptive_interval\n",
        "    aggregation: adaptive_interval\n    adaptive:" + block + "\n");
  }

  private static Stream<Path> projectContracts() {
    return yamlFiles(PROJECT_CONTRACTS);
  }

  private static Stream<Path> yamlFiles(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The YAML as the loader reads it (SnakeYAML, YAML 1.1, with the loader's limits). */
  private static JsonNode loaderTree(String yaml) {
    try {
      return YamlDocument.parse(yaml).root();
    } catch (YamlDocument.Invalid e) {
      throw new IllegalArgumentException("not YAML: " + e.getMessage() + "\n" + yaml, e);
    }
  }

  /** The YAML as a generic YAML library reads it, closer to what editors see. */
  private static JsonNode editorTree(String yaml) throws IOException {
    return YAML.readTree(yaml);
  }

  private static Set<ValidationMessage> schemaErrors(JsonNode contract) {
    return schema.validate(contract);
  }

  /**
   * The contract fields the schema finds fault with, written as the loader writes them ({@code
   * features[0].window.hop}): the instance location, and for a missing or unknown key that key.
   */
  private static Set<String> schemaErrorPaths(JsonNode contract) {
    Set<String> paths = new TreeSet<>();
    for (ValidationMessage error : schemaErrors(contract)) {
      String path = error.getInstanceLocation().toString();
      boolean namesAKey =
          error.getType().equals("required") || error.getType().equals("additionalProperties");
      if (namesAKey && error.getProperty() != null) {
        path = path + "." + error.getProperty();
      }
      paths.add(path.replaceFirst("^\\$\\.?", ""));
    }
    return paths;
  }

  /** The fields at fault, each once: the loader may report two problems of one field. */
  private static Set<String> fieldsOf(List<ContractProblem> problems) {
    return problems.stream().map(ContractProblem::field).collect(Collectors.toSet());
  }

  private List<ContractProblem> loaderProblems(Path file) {
    try {
      assertThat(loader.loadFiles(List.of(file))).hasSize(1);
      return List.of();
    } catch (ContractValidationException e) {
      return e.problems();
    }
  }

  /** The schema of the value at {@code steps} ("[]" for the items of a list), $refs followed. */
  private static JsonNode at(String... steps) {
    JsonNode node = schemaTree;
    for (String step : steps) {
      node = resolve(step.equals("[]") ? node.path("items") : node.path("properties").path(step));
      assertThat(node.isMissingNode()).as("schema has %s", Arrays.toString(steps)).isFalse();
    }
    return node;
  }

  private static JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : resolve(schemaTree.at(ref.asText().substring(1)));
  }

  private static List<String> propertyNames(JsonNode schemaOfObject) {
    List<String> names = new ArrayList<>();
    schemaOfObject.path("properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      values.add(it.next().asText());
    }
    return values;
  }

  /** Every subset of {@code values}, each in the order of {@code values}. */
  private static List<List<String>> subsets(List<String> values) {
    List<List<String>> subsets = new ArrayList<>();
    for (int mask = 0; mask < 1 << values.size(); mask++) {
      List<String> subset = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        if ((mask & 1 << i) != 0) {
          subset.add(values.get(i));
        }
      }
      subsets.add(subset);
    }
    return subsets;
  }

  private static List<String> sorted(List<String> keys) {
    return keys.stream().sorted().toList();
  }
}
