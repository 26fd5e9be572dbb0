package dev.freshet.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every change between two sets of contracts (base and head, matched by name), each classified as
 * {@link ContractChangeClass#COMPATIBLE} or {@link ContractChangeClass#BREAKING}.
 *
 * <table>
 *   <caption>How changes are classified</caption>
 *   <tr><th>Change</th><th>Class</th><th>Why</th></tr>
 *   <tr><td>new contract, new feature</td><td>compatible</td><td>nothing existing changes</td></tr>
 *   <tr><td>owner, description, tags, lifecycle, entity.name</td><td>compatible</td>
 *       <td>labels: no value, key, state or column changes</td></tr>
 *   <tr><td>version raised</td><td>compatible</td>
 *       <td>the new version runs beside the old one</td></tr>
 *   <tr><td>freshness_sla</td><td>compatible</td><td>a monitoring target</td></tr>
 *   <tr><td>state_ttl</td><td>compatible</td>
 *       <td>a memory bound; validation keeps it above the largest window plus lateness</td></tr>
 *   <tr><td>allowed_lateness</td><td>compatible</td>
 *       <td>decides only which late events still count from now on</td></tr>
 *   <tr><td>online enabled (off to on)</td><td>compatible</td><td>adds serving</td></tr>
 *   <tr><td>online_ttl (either way)</td><td>compatible</td>
 *       <td>storage expiry; validation keeps it at least serving_max_age, so what is served does
 *       not change</td></tr>
 *   <tr><td>serving_max_age (either way)</td><td>compatible</td>
 *       <td>only how old a served value may be before it reads as missing, which readers handle
 *       anyway</td></tr>
 *   <tr><td>order of features</td><td>compatible</td><td>names and definitions unchanged</td></tr>
 *   <tr><td>feature type, aggregation, k, input, filter, numerator, denominator, default, window
 *       (size, hop, or to or from lifetime), adaptive (any parameter of adaptive_interval)</td>
 *       <td>breaking</td><td>the feature's values change meaning</td></tr>
 *   <tr><td>entity.keys (fields, types or order), source.stream, source.filter</td>
 *       <td>breaking</td><td>different entities or events: existing state is wrong</td></tr>
 *   <tr><td>offline.table, online.feast_project, online.feature_view</td><td>breaking</td>
 *       <td>readers find the data by these names</td></tr>
 *   <tr><td>offline.partition_by</td><td>breaking</td>
 *       <td>a Delta table's partition columns are fixed when it is created</td></tr>
 *   <tr><td>version lowered</td><td>breaking</td><td>a version never goes down</td></tr>
 *   <tr><td>contract removed, feature removed, online disabled</td>
 *       <td>breaking, compatible if the base contract was deprecated</td>
 *       <td>readers lose data they use</td></tr>
 * </table>
 *
 * <p>A breaking change is accepted only when the head contract's {@code version} is greater than
 * the base's: the job then runs the new version beside the old one, in its own state and table. A
 * removed contract has no head version, so its removal is accepted only after the contract was
 * deprecated. Expressions are compared as written.
 */
public final class ContractDiff {

  /** The text of an absent value. */
  public static final String NONE = "(none)";

  static final String CONTRACT_PATH = "contract";

  private final List<ContractChange> changes;

  private ContractDiff(List<ContractChange> changes) {
    this.changes = List.copyOf(changes);
  }

  /**
   * The changes from {@code base} to {@code head}, by contract name, then field. Versions of a
   * contract present on both sides are compared with each other; a version running beside the old
   * one is new; a version that replaced the old one in place is compared with it.
   */
  public static ContractDiff between(Collection<Contract> base, Collection<Contract> head) {
    Map<String, Map<Integer, Contract>> baseByName = byName(base);
    Map<String, Map<Integer, Contract>> headByName = byName(head);
    TreeSet<String> names = new TreeSet<>(baseByName.keySet());
    names.addAll(headByName.keySet());
    List<ContractChange> changes = new ArrayList<>();
    for (String name : names) {
      Map<Integer, Contract> before = new TreeMap<>(baseByName.getOrDefault(name, Map.of()));
      Map<Integer, Contract> after = new TreeMap<>(headByName.getOrDefault(name, Map.of()));
      for (Integer version : List.copyOf(before.keySet())) {
        if (after.containsKey(version)) {
          changes.addAll(new Comparison(before.remove(version), after.remove(version)).changes());
        }
      }
      if (before.size() == 1 && after.size() == 1) {
        changes.addAll(
            new Comparison(before.values().iterator().next(), after.values().iterator().next())
                .changes());
        continue;
      }
      before.values().forEach(contract -> changes.add(removed(contract)));
      after.values().forEach(contract -> changes.add(added(contract)));
    }
    return new ContractDiff(changes);
  }

  public List<ContractChange> changes() {
    return changes;
  }

  public List<ContractChange> breaking() {
    return changes.stream().filter(ContractChange::isBreaking).toList();
  }

  /** Breaking changes that may not go in: the contract did not raise its version. */
  public List<ContractChange> unaccepted() {
    return changes.stream().filter(c -> !c.accepted()).toList();
  }

  public boolean isAccepted() {
    return unaccepted().isEmpty();
  }

  private static Map<String, Map<Integer, Contract>> byName(Collection<Contract> contracts) {
    Map<String, Map<Integer, Contract>> byName = new TreeMap<>();
    contracts.forEach(
        c -> byName.computeIfAbsent(c.name(), name -> new TreeMap<>()).put(c.version(), c));
    return byName;
  }

  private static ContractChange added(Contract contract) {
    return new ContractChange(
        contract.name(),
        CONTRACT_PATH,
        NONE,
        "version " + contract.version(),
        ContractChangeClass.COMPATIBLE,
        true,
        "new contract: "
            + contract.features().size()
            + " feature(s) into table "
            + contract.tableName());
  }

  private static ContractChange removed(Contract contract) {
    String before = "version " + contract.version();
    if (contract.lifecycle() == Lifecycle.DEPRECATED) {
      return new ContractChange(
          contract.name(),
          CONTRACT_PATH,
          before,
          NONE,
          ContractChangeClass.COMPATIBLE,
          true,
          "removed after deprecation");
    }
    return new ContractChange(
        contract.name(),
        CONTRACT_PATH,
        before,
        NONE,
        ContractChangeClass.BREAKING,
        false,
        "contract removed: its table and features stop; set lifecycle: deprecated first and"
            + " remove it in a later change");
  }

  /** The changes within one contract present in base and head. */
  private static final class Comparison {
    private static final String TYPE = "the column's type changes: readers and the table break";
    private static final String ONLINE_NAME = "online readers look the feature view up by name";

    private final Contract base;
    private final Contract head;
    private final List<ContractChange> changes = new ArrayList<>();

    Comparison(Contract base, Contract head) {
      this.base = base;
      this.head = head;
    }

    List<ContractChange> changes() {
      version();
      compatible("owner", Contract::owner, ContractDiff::quoted, "metadata only");
      compatible("description", Contract::description, ContractDiff::quoted, "metadata only");
      compatible("tags", Contract::tags, ContractDiff::list, "metadata only");
      compatible("lifecycle", Contract::lifecycle, Lifecycle::yamlName, lifecycleReason());
      compatible(
          "entity.name",
          c -> c.entity().name(),
          Function.identity(),
          "a label only; the key fields are unchanged");
      breaking(
          "entity.keys",
          c -> c.entity().keys(),
          ContractDiff::keys,
          "the features describe other entities: state and table keys change");
      breaking(
          "source.stream", Contract::source, s -> s.sourceName(), "the features read other events");
      breaking(
          "source.filter",
          Contract::sourceFilter,
          ContractDiff::quoted,
          "every feature sees other events");
      compatible(
          "emit.min_interval",
          Contract::emitMinInterval,
          Durations::format,
          "rows come more or less often; their values are unchanged");
      features();
      derived();
      compatible(
          "state_ttl",
          Contract::stateTtl,
          Durations::format,
          "a memory bound only; it still covers the largest window plus allowed_lateness");
      compatible(
          "freshness_sla", Contract::freshnessSla, Durations::format, "a monitoring target only");
      compatible(
          "allowed_lateness",
          Contract::allowedLateness,
          Durations::format,
          "decides only which late events count from now on");
      breaking(
          "offline.table",
          Contract::offlineTable,
          Function.identity(),
          "offline table renamed: its readers miss new rows");
      breaking(
          "offline.partition_by",
          Contract::offlinePartitionColumns,
          ContractDiff::list,
          "the table's layout changes: a Delta table's partition columns are fixed when it is"
              + " created");
      online();
      return changes;
    }

    private void version() {
      if (head.version() > base.version()) {
        add(
            "version",
            String.valueOf(base.version()),
            String.valueOf(head.version()),
            ContractChangeClass.COMPATIBLE,
            true,
            "replaces version "
                + base.version()
                + " in a new state namespace and table; version "
                + base.version()
                + "'s table stays, no longer written");
      } else if (head.version() < base.version()) {
        add(
            "version",
            String.valueOf(base.version()),
            String.valueOf(head.version()),
            ContractChangeClass.BREAKING,
            false,
            "a version never goes down; set it to " + (base.version() + 1) + " or keep it");
      }
    }

    private String lifecycleReason() {
      return head.lifecycle() == Lifecycle.DEPRECATED
          ? "metadata only; a deprecated contract may be removed in a later change"
          : "metadata only";
    }

    private void derived() {
      Map<String, DerivedFeature> headByName = new TreeMap<>();
      head.derived().forEach(d -> headByName.put(d.name(), d));
      for (DerivedFeature before : base.derived()) {
        DerivedFeature after = headByName.get(before.name());
        String path = "derived[" + before.name() + "]";
        if (after == null) {
          removal(path, before.expression(), NONE, "derived feature removed: its column stops");
          continue;
        }
        breaking(path + ".type", before.type(), after.type(), FeatureType::yamlName, TYPE);
        breaking(
            path + ".expression",
            before.expression(),
            after.expression(),
            ContractDiff::quoted,
            "the derived feature computes another value");
      }
      List<String> baseNames = base.derived().stream().map(DerivedFeature::name).toList();
      for (DerivedFeature after : head.derived()) {
        if (!baseNames.contains(after.name())) {
          add(
              "derived[" + after.name() + "]",
              NONE,
              after.expression(),
              ContractChangeClass.COMPATIBLE,
              true,
              "new derived feature: a new column computed from existing ones");
        }
      }
    }

    private void features() {
      Map<String, Feature> headByName = new TreeMap<>();
      head.features().forEach(f -> headByName.put(f.name(), f));
      for (Feature before : base.features()) {
        Feature after = headByName.get(before.name());
        String path = "features[" + before.name() + "]";
        if (after == null) {
          removal(path, summary(before), NONE, "feature removed: its column and values stop");
          continue;
        }
        breaking(path + ".type", before.type(), after.type(), FeatureType::yamlName, TYPE);
        breaking(
            path + ".aggregation",
            before.aggregation(),
            after.aggregation(),
            Aggregation::yamlName,
            "the feature's values change meaning");
        breaking(
            path + ".input",
            before.input(),
            after.input(),
            ContractDiff::quoted,
            "the feature aggregates another value");
        breaking(
            path + ".filter",
            before.filter(),
            after.filter(),
            ContractDiff::quoted,
            "the feature counts other events");
        breaking(
            path + ".numerator",
            before.numerator(),
            after.numerator(),
            ContractDiff::quoted,
            "the ratio counts other events");
        breaking(
            path + ".denominator",
            before.denominator(),
            after.denominator(),
            ContractDiff::quoted,
            "the ratio counts other events");
        breaking(
            path + ".default",
            before.defaultValue(),
            after.defaultValue(),
            value -> Double.toString(value),
            "empty windows read another value");
        breaking(
            path + ".k",
            before.k(),
            after.k(),
            String::valueOf,
            "the feature keeps another number of values");
        breaking(
            path + ".adaptive",
            before.adaptive(),
            after.adaptive(),
            AdaptiveInterval::summary,
            "the interval adapts by other rules: the feature's values change");
        // Lifetime windows have no size: two of them differ in their hop only.
        breaking(
            path + ".window",
            before.window(),
            after.window(),
            ContractDiff::window,
            Objects.equals(before.window().size(), after.window().size())
                ? "the feature's values come at other times and its tiles change"
                : "the feature covers another span of time");
      }
      List<String> baseNames = base.features().stream().map(Feature::name).toList();
      for (Feature after : head.features()) {
        if (!baseNames.contains(after.name())) {
          add(
              "features[" + after.name() + "]",
              NONE,
              summary(after),
              ContractChangeClass.COMPATIBLE,
              true,
              "new feature: a new column; existing ones are unchanged");
        }
      }
      List<String> kept = baseNames.stream().filter(headByName::containsKey).toList();
      List<String> keptInHeadOrder =
          head.features().stream().map(Feature::name).filter(baseNames::contains).toList();
      if (!kept.equals(keptInHeadOrder)) {
        add(
            "features",
            list(kept),
            list(keptInHeadOrder),
            ContractChangeClass.COMPATIBLE,
            true,
            "order only; names and definitions are unchanged");
      }
    }

    private void online() {
      OnlineSink before = base.online();
      OnlineSink after = head.online();
      if (!before.enabled() && !after.enabled()) {
        return;
      }
      if (!before.enabled()) {
        add(
            "online",
            "disabled",
            onlineSummary(after),
            ContractChangeClass.COMPATIBLE,
            true,
            "adds online serving");
        return;
      }
      if (!after.enabled()) {
        removal(
            "online", onlineSummary(before), "disabled", "online serving removed: readers miss it");
        return;
      }
      breaking(
          "online.feast_project",
          before.feastProject(),
          after.feastProject(),
          Function.identity(),
          ONLINE_NAME);
      breaking(
          "online.feature_view",
          before.featureView(),
          after.featureView(),
          Function.identity(),
          ONLINE_NAME);
      compatible(
          "online_ttl",
          before.onlineTtl(),
          after.onlineTtl(),
          Durations::format,
          "storage expiry only; still at least serving_max_age, so served values are unchanged");
      compatible(
          "serving_max_age",
          before.servingMaxAge(),
          after.servingMaxAge(),
          Durations::format,
          "only how old a served value may be before it reads as missing");
    }

    private <T> void compatible(
        String path, Function<Contract, T> field, Function<T, String> text, String reason) {
      compatible(path, field.apply(base), field.apply(head), text, reason);
    }

    private <T> void compatible(
        String path, T before, T after, Function<T, String> text, String reason) {
      if (!Objects.equals(before, after)) {
        add(
            path,
            text(before, text),
            text(after, text),
            ContractChangeClass.COMPATIBLE,
            true,
            reason);
      }
    }

    private <T> void breaking(
        String path, Function<Contract, T> field, Function<T, String> text, String why) {
      breaking(path, field.apply(base), field.apply(head), text, why);
    }

    private <T> void breaking(
        String path, T before, T after, Function<T, String> text, String why) {
      if (!Objects.equals(before, after)) {
        breakingChange(path, text(before, text), text(after, text), why);
      }
    }

    /** A removal: compatible when the base contract was deprecated, otherwise breaking. */
    private void removal(String path, String before, String after, String what) {
      if (base.lifecycle() == Lifecycle.DEPRECATED) {
        add(
            path,
            before,
            after,
            ContractChangeClass.COMPATIBLE,
            true,
            what + "; allowed, the contract was deprecated");
      } else {
        breakingChange(path, before, after, what + ", unless the contract is deprecated first");
      }
    }

    private void breakingChange(String path, String before, String after, String why) {
      boolean accepted = head.version() > base.version();
      String rule =
          accepted
              ? "accepted: version " + head.version() + " gets its own state and table"
              : "raise version to " + (base.version() + 1) + " for a new state namespace and table";
      add(path, before, after, ContractChangeClass.BREAKING, accepted, why + "; " + rule);
    }

    private void add(
        String path,
        String before,
        String after,
        ContractChangeClass changeClass,
        boolean accepted,
        String reason) {
      changes.add(
          new ContractChange(head.name(), path, before, after, changeClass, accepted, reason));
    }

    private static <T> String text(T value, Function<T, String> text) {
      return value == null ? NONE : text.apply(value);
    }
  }

  /**
   * A one-line summary of a feature, e.g. {@code long count, sliding 1m/10s}, {@code string_list
   * top_k 10 of "artist_id", lifetime/1h} or {@code double adaptive_interval (initial 10s, min 1s,
   * max 300s, quiet_factor 1.5, busy_factor 0.7, busy_at 3) where "op != 'chmod'", lifetime/10s}.
   */
  public static String summary(Feature feature) {
    StringBuilder text =
        new StringBuilder(feature.type().yamlName())
            .append(' ')
            .append(feature.aggregation().yamlName());
    if (feature.k() != null) {
      text.append(' ').append(feature.k());
    }
    if (feature.adaptive() != null) {
      text.append(" (").append(feature.adaptive().summary()).append(')');
    }
    if (feature.input() != null) {
      text.append(" of ").append(quoted(feature.input()));
    }
    if (feature.numerator() != null) {
      text.append(" of ")
          .append(quoted(feature.numerator()))
          .append(" over ")
          .append(quoted(feature.denominator()));
    }
    if (feature.filter() != null) {
      text.append(" where ").append(quoted(feature.filter()));
    }
    return text.append(", ").append(window(feature.window())).toString();
  }

  /** {@code sliding 10m/1m} (size/hop), {@code tumbling 1h} or {@code lifetime/1h} (hop). */
  public static String window(Window window) {
    return switch (window.kind()) {
      case SLIDING ->
          "sliding " + Durations.format(window.size()) + "/" + Durations.format(window.hop());
      case TUMBLING -> "tumbling " + Durations.format(window.size());
      case LIFETIME -> "lifetime/" + Durations.format(window.hop());
    };
  }

  static String onlineSummary(OnlineSink online) {
    return "project "
        + online.feastProject()
        + ", view "
        + online.featureView()
        + ", online_ttl "
        + format(online.onlineTtl())
        + ", serving_max_age "
        + format(online.servingMaxAge());
  }

  private static String format(Duration duration) {
    return duration == null ? NONE : Durations.format(duration);
  }

  static String keys(List<EntityKey> keys) {
    return keys.stream()
        .map(k -> k.field() + " " + k.type().yamlName())
        .collect(Collectors.joining(", ", "[", "]"));
  }

  static String list(List<String> values) {
    return values.stream().collect(Collectors.joining(", ", "[", "]"));
  }

  /** Text in double quotes on one line: quotes, backslashes and line breaks escaped. */
  static String quoted(String text) {
    return '"'
        + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
        + '"';
  }
}
