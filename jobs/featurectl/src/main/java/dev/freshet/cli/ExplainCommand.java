package dev.freshet.cli;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractDiff;
import dev.freshet.contract.Durations;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.Feature;
import dev.freshet.contract.OnlineSink;
import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.events.EventField;
import dev.freshet.events.FieldType;
import dev.freshet.job.AdaptiveState;
import dev.freshet.job.OfflineRowMapper;
import dev.freshet.job.Tile;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows how the feature job runs one contract: its input, keys, tiles, state and tables. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Show the plan of one contract: stream and Kafka topic, filter, entity key and keyBy key,"
          + " tiles, estimated state per key, offline table columns and online settings.",
      "State per key = tiles x (arrays x features x 8 bytes + 64 bytes + sketches) + features x"
          + " 8 bytes, where tiles = largest window / tile (a lifetime window counting as its hop)"
          + " + 1 running total if any window is lifetime, the tile is the gcd of all window hops,"
          + " arrays is the number of per-feature numeric arrays of the job's Tile, and the last"
          + " term is the last emitted row.",
      "Sketches are counted at their largest serialized size in every tile, so the estimate of a"
          + " contract with distinct_count or top_k is an upper bound: per tile up to 2216 bytes"
          + " per distinct_count (HLL_4, lg_k 12) and up to 768 values x (12 bytes + 20 bytes"
          + " assumed per value) + 32 bytes per top_k, and k values x 20 bytes per top_k in the"
          + " emitted row. Keys, the state backend's own overhead and windows still open past the"
          + " largest window (allowed lateness) are not counted.",
      "A contract with adaptive_interval features adds per key their poll periods: adaptive"
          + " arrays x features x 8 bytes + 64 bytes, where adaptive arrays is the number of"
          + " per-feature arrays of the job's AdaptiveState; and per event time buffered beyond its"
          + " feature's current period (changes ahead of the watermark, about its out-of-orderness"
          + " of them) 8 bytes + features x 8 bytes, which the estimate leaves out."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the plan was printed",
      "1:no contract of that name, or the contracts fail validation",
      "2:usage error"
    })
final class ExplainCommand implements Callable<Integer> {

  /** Per-slot size: every Tile array holds longs or doubles. */
  static final int SLOT_BYTES = 8;

  /** Object and array headers of one tile, roughly. */
  static final int TILE_OVERHEAD_BYTES = 64;

  /**
   * The largest compact HLL_4 sketch of lg_k 12, from DataSketches' size table
   * (https://datasketches.apache.org/docs/HLL/HllMaxSizeAndErrorTable.html); dense sketches
   * measured 2092 to 2112 bytes, and a few hundred values fit in far less (412 bytes for 100).
   */
  static final int HLL_MAX_BYTES = 2216;

  /**
   * Values a top_k tile holds at most: the frequent-items map of 1024 slots purges beyond 0.75 of
   * them.
   */
  static final int TOP_K_MAX_VALUES = 768;

  /** Length of a top_k value, assumed: ids such as artist-3 or song-1042 are shorter. */
  static final int VALUE_BYTES = 20;

  /** A serialized frequent-items sketch: 4 longs of preamble, per value its count and length. */
  static final int TOP_K_MAX_BYTES = 32 + TOP_K_MAX_VALUES * (8 + 4 + VALUE_BYTES);

  /** The job's keyBy key is {@code <contract>|<entity key>} (FeatureInput.key()). */
  static final String KEY_SEPARATOR = "|";

  /** Parts of a composite entity key are joined by U+001F (ContractInputs.KEY_PART_SEPARATOR). */
  static final String KEY_PART_SEPARATOR = "\\u001f";

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "<contract-name>", description = "Name of the contract to explain.")
  String name;

  @Mixin ContractsDirectoryOption contracts;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<List<Contract>> valid = contracts.loadOrReport(err);
    if (valid.isEmpty()) {
      return 1;
    }
    List<Contract> loaded = valid.get();
    Optional<Contract> contract = loaded.stream().filter(c -> c.name().equals(name)).findFirst();
    if (contract.isEmpty()) {
      err.printf(
          "error: no contract named '%s' in %s; known: %s%n",
          name, contracts.directory, loaded.stream().map(Contract::name).sorted().toList());
      return 1;
    }
    explain(contract.get()).forEach(out::println);
    return 0;
  }

  /**
   * The state a contract keeps per key, as the job's tile aggregator keeps it.
   *
   * @param windowTiles the tiles of the largest window (a lifetime window counts as its hop)
   * @param lifetimeTotal whether a lifetime window adds its running total, a tile of its own
   * @param listValues the values of the top_k lists in the emitted row: the sum of their k
   * @param adaptiveIntervals the adaptive_interval features, which share one adaptive state
   * @param adaptiveArrays the per-feature arrays of that state
   */
  record StateEstimate(
      long tileMillis,
      long windowTiles,
      boolean lifetimeTotal,
      int arrays,
      int features,
      int distinctCounts,
      int topKs,
      int listValues,
      int adaptiveIntervals,
      int adaptiveArrays) {

    static StateEstimate of(Contract contract) {
      long tile = 0;
      boolean lifetime = false;
      int distinctCounts = 0;
      int topKs = 0;
      int listValues = 0;
      int adaptiveIntervals = 0;
      for (Feature feature : contract.features()) {
        tile = gcd(tile, feature.window().hopMillis());
        lifetime |= feature.window().isLifetime();
        if (feature.aggregation() == Aggregation.DISTINCT_COUNT) {
          distinctCounts++;
        } else if (feature.aggregation() == Aggregation.TOP_K) {
          topKs++;
          listValues += feature.k();
        } else if (feature.aggregation() == Aggregation.ADAPTIVE_INTERVAL) {
          adaptiveIntervals++;
        }
      }
      return new StateEstimate(
          tile,
          contract.largestWindowMillis() / tile,
          lifetime,
          tileArrays(),
          contract.features().size(),
          distinctCounts,
          topKs,
          listValues,
          adaptiveIntervals,
          numericArrays(AdaptiveState.class));
    }

    long tilesPerKey() {
      return windowTiles + (lifetimeTotal ? 1 : 0);
    }

    /** Whether sketches are counted at their largest, making the estimate an upper bound. */
    boolean hasSketches() {
      return distinctCounts + topKs > 0;
    }

    long sketchBytesPerTile() {
      return (long) distinctCounts * HLL_MAX_BYTES + (long) topKs * TOP_K_MAX_BYTES;
    }

    long bytesPerTile() {
      return (long) arrays * features * SLOT_BYTES + TILE_OVERHEAD_BYTES + sketchBytesPerTile();
    }

    long emittedRowBytes() {
      return (long) features * SLOT_BYTES + (long) listValues * VALUE_BYTES;
    }

    /** The poll periods of the adaptive_interval features: one slot per feature, like a tile. */
    long adaptiveBytes() {
      return adaptiveIntervals == 0
          ? 0
          : (long) adaptiveArrays * features * SLOT_BYTES + TILE_OVERHEAD_BYTES;
    }

    /** One event time buffered beyond a poll period: its key and a count per feature. */
    long bytesPerBufferedTime() {
      return SLOT_BYTES + (long) features * SLOT_BYTES;
    }

    long bytesPerKey() {
      return tilesPerKey() * bytesPerTile() + emittedRowBytes() + adaptiveBytes();
    }

    /**
     * One slot per feature in each numeric array field of the job's Tile (counts, sums, ...); its
     * sketches are counted apart, by their own size.
     */
    static int tileArrays() {
      return numericArrays(Tile.class);
    }

    /** The per-feature numeric array fields of one of the job's state POJOs. */
    static int numericArrays(Class<?> statePojo) {
      return (int)
          Arrays.stream(statePojo.getFields())
              .map(Field::getType)
              .filter(type -> type == long[].class || type == double[].class)
              .count();
    }

    private static long gcd(long a, long b) {
      return b == 0 ? a : gcd(b, a % b);
    }
  }

  static List<String> explain(Contract contract) {
    StateEstimate state = StateEstimate.of(contract);
    Lines lines = new Lines();
    lines.add(
        "Contract",
        contract.name()
            + " (version "
            + contract.version()
            + ", "
            + contract.lifecycle().yamlName()
            + ", owner "
            + contract.owner()
            + ")");
    lines.add("Stream", contract.source().sourceName());
    lines.add("Kafka topic", contract.source().defaultTopic() + " (the default topic)");
    lines.add(
        "Source filter",
        contract.sourceFilter() == null ? "(none: every event)" : contract.sourceFilter());
    lines.add("Entity", contract.entity().name());
    Map<String, String> keys = new LinkedHashMap<>();
    for (EntityKey key : contract.entity().keys()) {
      keys.put(key.field(), key.type().yamlName() + (isList(contract, key) ? " (a list)" : ""));
    }
    lines.table(keys);
    lines.add("keyBy key", keyByKey(contract));
    contract.entity().keys().stream()
        .filter(key -> isList(contract, key))
        .forEach(
            key -> lines.add("", "one key per distinct element of " + key.field() + " per event"));
    lines.add("", "events without a key field are skipped");
    lines.add("Features", String.valueOf(contract.features().size()));
    Map<String, String> features = new LinkedHashMap<>();
    contract.features().forEach(f -> features.put(f.name(), ContractDiff.summary(f)));
    lines.table(features);
    lines.add("Tile", duration(state.tileMillis()) + " (gcd of the window hops)");
    lines.add("Tiles per key", tilesPerKey(contract, state));
    lines.add("State per key", statePerKey(state));
    if (state.hasSketches()) {
      lines.add("Sketches per tile", sketchesPerTile(state));
    }
    if (state.adaptiveIntervals() > 0) {
      lines.add("Adaptive state", adaptiveState(state));
    }
    lines.add("State TTL", Durations.format(contract.stateTtl()));
    lines.add("Allowed lateness", Durations.format(contract.allowedLateness()));
    lines.add("Freshness SLA", Durations.format(contract.freshnessSla()));
    DeltaTableSchema table = OfflineRowMapper.tableSchemas(List.of(contract)).get(0);
    lines.add("Offline table", table.tableName() + " (Delta)");
    Map<String, String> columns = new LinkedHashMap<>();
    for (DeltaColumn column : table.columns()) {
      String notes = table.isPartitionColumn(column.name()) ? ", partition column" : "";
      columns.put(column.name(), column.type() + (column.nullable() ? ", nullable" : "") + notes);
    }
    lines.table(columns);
    lines.add("Online", online(contract.online()));
    return lines.lines;
  }

  private static String tilesPerKey(Contract contract, StateEstimate state) {
    String window =
        " (largest window "
            + duration(contract.largestWindowMillis())
            + " / tile "
            + duration(state.tileMillis());
    return state.lifetimeTotal()
        ? state.tilesPerKey()
            + " = "
            + state.windowTiles()
            + window
            + "; a lifetime window counts as its hop) + 1 running total of the lifetime windows"
        : state.tilesPerKey() + window + ")";
  }

  private static String statePerKey(StateEstimate state) {
    String sketches =
        state.hasSketches() ? String.format(" + %d B sketches", state.sketchBytesPerTile()) : "";
    String lists =
        state.listValues() > 0
            ? String.format(" + %d list values x %d B", state.listValues(), VALUE_BYTES)
            : "";
    String adaptive =
        state.adaptiveIntervals() > 0
            ? String.format(
                " + (%d arrays x %d features x %d B + %d B) (adaptive intervals)",
                state.adaptiveArrays(), state.features(), SLOT_BYTES, TILE_OVERHEAD_BYTES)
            : "";
    return String.format(
        "%s~%d bytes = %d tiles x (%d arrays x %d features x %d B + %d B%s) + %d features x %d B"
            + "%s (emitted row)%s",
        state.hasSketches() ? "up to " : "",
        state.bytesPerKey(),
        state.tilesPerKey(),
        state.arrays(),
        state.features(),
        SLOT_BYTES,
        TILE_OVERHEAD_BYTES,
        sketches,
        state.features(),
        SLOT_BYTES,
        lists,
        adaptive);
  }

  private static String adaptiveState(StateEstimate state) {
    return String.format(
        "~%d bytes per key: the poll periods of %d adaptive_interval feature(s); plus %d B per event"
            + " time buffered beyond its period's end (changes ahead of the watermark), not counted"
            + " above",
        state.adaptiveBytes(), state.adaptiveIntervals(), state.bytesPerBufferedTime());
  }

  private static String sketchesPerTile(StateEstimate state) {
    List<String> parts = new ArrayList<>();
    if (state.distinctCounts() > 0) {
      parts.add(
          String.format(
              "%d distinct_count x %d B (HLL_4, lg_k %d)",
              state.distinctCounts(), HLL_MAX_BYTES, Aggregation.HLL_LG_K));
    }
    if (state.topKs() > 0) {
      parts.add(
          String.format(
              "%d top_k x %d B (%d values of %d B)",
              state.topKs(), TOP_K_MAX_BYTES, TOP_K_MAX_VALUES, VALUE_BYTES));
    }
    return "up to "
        + String.join(" + ", parts)
        + "; a tile holds only the values of its own events";
  }

  private static String keyByKey(Contract contract) {
    return contract.id()
        + KEY_SEPARATOR
        + contract.entity().keys().stream()
            .map(key -> "<" + key.field() + ">")
            .collect(Collectors.joining(KEY_PART_SEPARATOR));
  }

  private static boolean isList(Contract contract, EntityKey key) {
    return contract
        .source()
        .field(key.field())
        .map(EventField::type)
        .filter(type -> type == FieldType.STRING_LIST)
        .isPresent();
  }

  private static String online(OnlineSink online) {
    if (!online.enabled()) {
      return "disabled";
    }
    return "Feast project "
        + online.feastProject()
        + ", feature view "
        + online.featureView()
        + ", online_ttl "
        + Durations.format(online.onlineTtl())
        + ", serving_max_age "
        + Durations.format(online.servingMaxAge());
  }

  private static String duration(long millis) {
    return Durations.format(Duration.ofMillis(millis));
  }

  /** Label-value lines in two columns, and indented name-value tables under them. */
  private static final class Lines {
    private static final int LABEL_WIDTH = 18;
    private final List<String> lines = new ArrayList<>();

    void add(String label, String value) {
      lines.add(String.format("%-" + LABEL_WIDTH + "s%s", label, value));
    }

    void table(Map<String, String> rows) {
      int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
      rows.forEach((name, value) -> lines.add(String.format("  %-" + width + "s%s", name, value)));
    }
  }
}
