package dev.freshet.cli;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractDiff;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.ContractProblem;
import dev.freshet.contract.ContractValidationException;
import dev.freshet.contract.Durations;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.Feature;
import dev.freshet.contract.OnlineSink;
import dev.freshet.delta.DeltaColumn;
import dev.freshet.delta.DeltaTableSchema;
import dev.freshet.events.EventField;
import dev.freshet.events.FieldType;
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
      "State per key = tiles x (arrays x features x 8 bytes + 64 bytes) + features x 8 bytes,"
          + " where tiles = largest window / tile, the tile is the gcd of all window hops, arrays"
          + " is the number of per-feature arrays of the job's Tile, and the last term is the"
          + " last emitted row. Keys, the state backend's own overhead and windows still open"
          + " past the largest window (allowed lateness) are not counted."
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
    List<Contract> loaded;
    try {
      loaded = new ContractLoader().loadDirectory(contracts.directory);
    } catch (ContractValidationException e) {
      for (ContractProblem problem : e.problems()) {
        err.println(problem);
      }
      err.printf(
          "error: %d problem(s); fix them first (featurectl validate)%n", e.problems().size());
      return 1;
    }
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

  /** The state a contract keeps per key, as the job's tile aggregator keeps it. */
  record StateEstimate(long tileMillis, long tilesPerKey, int arrays, int features) {

    static StateEstimate of(Contract contract) {
      long tile = 0;
      for (Feature feature : contract.features()) {
        tile = gcd(tile, feature.window().hopMillis());
      }
      return new StateEstimate(
          tile, contract.largestWindowMillis() / tile, tileArrays(), contract.features().size());
    }

    long bytesPerTile() {
      return (long) arrays * features * SLOT_BYTES + TILE_OVERHEAD_BYTES;
    }

    long emittedRowBytes() {
      return (long) features * SLOT_BYTES;
    }

    long bytesPerKey() {
      return tilesPerKey * bytesPerTile() + emittedRowBytes();
    }

    /** One slot per feature in each array field of the job's Tile (counts, sums, ...). */
    static int tileArrays() {
      return (int)
          Arrays.stream(Tile.class.getFields()).map(Field::getType).filter(Class::isArray).count();
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
    lines.add(
        "Tiles per key",
        state.tilesPerKey()
            + " (largest window "
            + duration(contract.largestWindowMillis())
            + " / tile "
            + duration(state.tileMillis())
            + ")");
    lines.add(
        "State per key",
        String.format(
            "~%d bytes = %d tiles x (%d arrays x %d features x %d B + %d B) + %d features x %d B"
                + " (emitted row)",
            state.bytesPerKey(),
            state.tilesPerKey(),
            state.arrays(),
            state.features(),
            SLOT_BYTES,
            TILE_OVERHEAD_BYTES,
            state.features(),
            SLOT_BYTES));
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
