package dev.freshet.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypes;
import dev.cel.common.types.SimpleType;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import dev.freshet.events.FieldType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads contract YAML files and validates them against the language and the event schemas. Every
 * problem of every file is collected and reported together, each with its file and field.
 */
public final class ContractLoader {

  /** Columns every offline table has besides the features. */
  public static final Set<String> RESERVED_COLUMNS =
      Set.of("feature_time", "event_date", "event_hour");

  /**
   * The partition columns an offline table may have; {@code offline.partition_by} is a prefix of
   * this list, so an hour partition always sits inside its date.
   */
  public static final List<String> PARTITION_COLUMNS = List.of("event_date", "event_hour");

  /** Larger files are refused unread: a contract is a few kilobytes. */
  static final int MAX_FILE_BYTES = 1_000_000;

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Set<String> TOP_LEVEL_KEYS =
      Set.of(
          "name",
          "version",
          "owner",
          "description",
          "tags",
          "lifecycle",
          "entity",
          "source",
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
  private static final Set<String> FEATURE_KEYS =
      Set.of(
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
  private static final Set<String> ADAPTIVE_KEYS =
      Set.of("initial", "min", "max", "quiet_factor", "busy_factor", "busy_at");
  private static final String DEFAULT_FEAST_PROJECT = "freshet";

  /** The CEL types of an input that distinct_count tells apart and top_k can turn into text. */
  private static final Set<CelKind> SCALARS =
      Set.of(CelKind.STRING, CelKind.INT, CelKind.DOUBLE, CelKind.BOOL);

  /** Loads every {@code *.yaml} and {@code *.yml} file directly inside {@code directory}. */
  public List<Contract> loadDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ContractValidationException(
          List.of(ContractProblem.ofFile(directory.toString(), "is not a directory")));
    }
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> yamlFiles =
          files
              .filter(Files::isRegularFile)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted()
              .toList();
      if (yamlFiles.isEmpty()) {
        throw new ContractValidationException(
            List.of(ContractProblem.ofFile(directory.toString(), "holds no contract files")));
      }
      return loadFiles(yamlFiles);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Contract> loadFiles(List<Path> files) {
    List<ContractProblem> problems = new ArrayList<>();
    List<Parsed> parsed = new ArrayList<>();
    for (Path file : files) {
      readSmallFile(file, problems)
          .flatMap(text -> parse(file.toString(), text, problems))
          .ifPresent(parsed::add);
    }
    checkUnique(parsed, problems);
    if (!problems.isEmpty()) {
      throw new ContractValidationException(problems);
    }
    return parsed.stream().map(Parsed::contract).toList();
  }

  /**
   * The file's text, read only when it is small: a larger file is refused by its size, and one
   * whose size says nothing (a device, a file still growing) is read no further than the limit.
   */
  private static Optional<String> readSmallFile(Path file, List<ContractProblem> problems) {
    String fix = " a contract may have; split it into several contracts";
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        problems.add(
            ContractProblem.ofFile(
                file.toString(), "is " + size + " bytes, more than the " + MAX_FILE_BYTES + fix));
        return Optional.empty();
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
      if (bytes.length > MAX_FILE_BYTES) {
        problems.add(
            ContractProblem.ofFile(
                file.toString(), "holds more than the " + MAX_FILE_BYTES + " bytes" + fix));
        return Optional.empty();
      }
      return Optional.of(
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
    } catch (IOException e) {
      problems.add(ContractProblem.ofFile(file.toString(), "cannot be read: " + e));
      return Optional.empty();
    }
  }

  /** A valid contract and the document it came from, for problems that span files. */
  record Parsed(Contract contract, YamlDocument document) {}

  /** Parses one contract; problems are added to {@code problems}, and no contract is returned. */
  Optional<Parsed> parse(String file, String text, List<ContractProblem> problems) {
    YamlDocument document;
    try {
      document = YamlDocument.parse(text);
    } catch (YamlDocument.Invalid e) {
      problems.add(
          new ContractProblem(file, e.position.line(), e.position.column(), "", e.getMessage()));
      return Optional.empty();
    }
    Checker check = new Checker(file, document, problems);
    JsonNode root = document.root();
    if (!root.isObject()) {
      check.problem("", "must be a YAML mapping with the contract's fields");
      return Optional.empty();
    }
    int before = problems.size();
    check.onlyKnownKeys(root, "", TOP_LEVEL_KEYS);
    String name = check.snakeCase(root, "name");
    int version = check.version(root);
    String owner = check.requiredText(root, "owner", "the team that answers for the features");
    String description = check.requiredText(root, "description", "what the features mean");
    List<String> tags = check.tags(root);
    Lifecycle lifecycle = check.lifecycle(root);
    Optional<EventExpressions> source = check.source(root);
    String sourceFilter = check.sourceFilter(root, source);
    Entity entity = check.entity(root, source);
    List<Feature> features = check.features(root, source, entity);
    List<DerivedFeature> derived = check.derived(root, features, entity);
    Duration stateTtl = check.duration(root, "state_ttl", true);
    Duration freshnessSla = check.duration(root, "freshness_sla", true);
    Duration allowedLateness = check.duration(root, "allowed_lateness", false);
    Duration emitMinInterval = check.emitMinInterval(root);
    String offlineTable = check.offlineTable(root);
    List<String> partitionColumns = check.partitionBy(root);
    OnlineSink online = check.online(root, name);
    if (problems.size() > before) {
      return Optional.empty();
    }
    Contract contract =
        new Contract(
            name,
            version,
            owner,
            description,
            tags,
            lifecycle,
            entity,
            source.orElseThrow().stream(),
            sourceFilter,
            features,
            derived,
            stateTtl,
            freshnessSla,
            allowedLateness == null ? Duration.ZERO : allowedLateness,
            emitMinInterval == null ? Duration.ZERO : emitMinInterval,
            offlineTable,
            partitionColumns,
            online,
            file);
    Duration needed =
        Duration.ofMillis(contract.largestWindowMillis()).plus(contract.allowedLateness());
    if (stateTtl.compareTo(needed) < 0) {
      check.problem(
          "state_ttl",
          "'"
              + Durations.format(stateTtl)
              + "' is shorter than the largest window plus allowed_lateness; set it to at least "
              + Durations.format(needed)
              + ", or state expires while its window is open");
      return Optional.empty();
    }
    return Optional.of(new Parsed(contract, document));
  }

  private static void checkUnique(List<Parsed> parsed, List<ContractProblem> problems) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> tables = new HashMap<>();
    for (Parsed each : parsed) {
      Contract contract = each.contract();
      Checker check = new Checker(contract.file(), each.document(), problems);
      String earlier = names.putIfAbsent(contract.id(), contract.file());
      if (earlier != null) {
        check.problem(
            "name",
            "'"
                + contract.name()
                + "' version "
                + contract.version()
                + " is already defined by "
                + earlier
                + "; raise the version to run a new one beside it");
      }
      String tableOwner = tables.putIfAbsent(contract.tableName(), contract.file());
      if (tableOwner != null) {
        check.problem(
            "offline.table",
            "'"
                + contract.tableName()
                + "' is already written by "
                + tableOwner
                + "; each contract needs a table of its own");
      }
    }
  }

  /** Field-level checks of one file; each records a problem and returns null when invalid. */
  private static final class Checker {
    private final String file;
    private final YamlDocument document;
    private final List<ContractProblem> problems;

    Checker(String file, YamlDocument document, List<ContractProblem> problems) {
      this.file = file;
      this.document = document;
      this.problems = problems;
    }

    void problem(String field, String message) {
      YamlDocument.Position position = document.positionOf(field);
      problems.add(new ContractProblem(file, position.line(), position.column(), field, message));
    }

    int version(JsonNode root) {
      JsonNode value = root.get("version");
      if (value == null) {
        problem("version", "is required: a whole number, 1 for a new contract");
        return 0;
      }
      if (!value.isIntegralNumber() || value.longValue() < 1 || value.longValue() > 999) {
        problem("version", "'" + value.asText() + "' must be a whole number from 1 to 999");
        return 0;
      }
      return value.intValue();
    }

    List<String> tags(JsonNode root) {
      JsonNode value = root.get("tags");
      if (value == null) {
        return List.of();
      }
      List<String> tags = new ArrayList<>();
      if (!value.isArray()) {
        problem("tags", "must be a list of strings, e.g. [recommendations, pii-free]");
        return tags;
      }
      for (int i = 0; i < value.size(); i++) {
        if (!value.get(i).isTextual() || value.get(i).textValue().isBlank()) {
          problem("tags[" + i + "]", "'" + value.get(i).asText() + "' must be a non-empty string");
        } else {
          tags.add(value.get(i).textValue());
        }
      }
      return tags;
    }

    Lifecycle lifecycle(JsonNode root) {
      JsonNode value = root.get("lifecycle");
      if (value == null) {
        return Lifecycle.ACTIVE;
      }
      Optional<Lifecycle> lifecycle =
          value.isTextual() ? Lifecycle.fromYaml(value.textValue()) : Optional.empty();
      if (lifecycle.isEmpty()) {
        problem(
            "lifecycle",
            "'" + value.asText() + "' is not valid; expected draft, active or deprecated");
        return null;
      }
      return lifecycle.get();
    }

    OnlineSink online(JsonNode root, String contractName) {
      JsonNode online = root.get("online");
      Duration onlineTtl = duration(root, "online_ttl", false);
      Duration servingMaxAge = duration(root, "serving_max_age", false);
      if (online == null) {
        if (onlineTtl != null || servingMaxAge != null) {
          problem(
              onlineTtl != null ? "online_ttl" : "serving_max_age",
              "applies to the online store only; add online: {enabled: true} or remove it");
        }
        return OnlineSink.DISABLED;
      }
      if (!online.isObject()) {
        problem("online", "must be a mapping: {enabled, feast_project, feature_view}");
        return null;
      }
      onlyKnownKeys(online, "online.", Set.of("enabled", "feast_project", "feature_view"));
      JsonNode enabledNode = online.get("enabled");
      if (enabledNode == null || !enabledNode.isBoolean()) {
        problem("online.enabled", "is required: true or false");
        return null;
      }
      String project =
          online.has("feast_project")
              ? snakeCase(online, "feast_project", "online.feast_project")
              : DEFAULT_FEAST_PROJECT;
      String featureView =
          online.has("feature_view")
              ? snakeCase(online, "feature_view", "online.feature_view")
              : contractName;
      if (!enabledNode.booleanValue()) {
        return OnlineSink.DISABLED;
      }
      if (!root.has("online_ttl")) {
        problem("online_ttl", "is required when online is enabled: when Redis expires the row");
      }
      if (!root.has("serving_max_age")) {
        problem(
            "serving_max_age",
            "is required when online is enabled: older values are served as missing");
      }
      if (onlineTtl != null && servingMaxAge != null && onlineTtl.compareTo(servingMaxAge) < 0) {
        problem(
            "online_ttl",
            "'"
                + Durations.format(onlineTtl)
                + "' is shorter than serving_max_age; set it to at least "
                + Durations.format(servingMaxAge)
                + " or rows vanish before they are stale");
      }
      return new OnlineSink(true, project, featureView, onlineTtl, servingMaxAge);
    }

    void onlyKnownKeys(JsonNode node, String prefix, Set<String> known) {
      for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (!known.contains(key)) {
          problem(prefix + key, "unknown field; expected one of " + new TreeSet<>(known));
        }
      }
    }

    String requiredText(JsonNode node, String field) {
      return text(node, field, field);
    }

    String requiredText(JsonNode node, String field, String meaning) {
      if (node.get(field) == null) {
        problem(field, "is required: " + meaning);
        return null;
      }
      return text(node, field, field);
    }

    String text(JsonNode node, String key, String path) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        problem(path, "is required");
        return null;
      }
      if (!value.isTextual() || value.textValue().isBlank()) {
        problem(path, "must be a non-empty string");
        return null;
      }
      return value.textValue();
    }

    String snakeCase(JsonNode node, String field) {
      return snakeCase(node, field, field);
    }

    String snakeCase(JsonNode node, String key, String path) {
      String value = text(node, key, path);
      if (value != null && !SNAKE_CASE.matcher(value).matches()) {
        problem(path, "'" + value + "' must be snake_case: a-z, 0-9 and _, starting with a letter");
        return null;
      }
      return value;
    }

    Optional<EventExpressions> source(JsonNode root) {
      JsonNode source = root.get("source");
      if (source == null || !source.isObject()) {
        problem("source", "is required: {stream: behaviour or file, filter: optional CEL}");
        return Optional.empty();
      }
      onlyKnownKeys(source, "source.", Set.of("stream", "filter"));
      String name = text(source, "stream", "source.stream");
      if (name == null) {
        return Optional.empty();
      }
      Optional<EventStream> stream = EventStream.bySourceName(name);
      if (stream.isEmpty()) {
        problem("source.stream", "'" + name + "' is not a stream; expected behaviour or file");
        return Optional.empty();
      }
      return Optional.of(EventExpressions.forStream(stream.get()));
    }

    String sourceFilter(JsonNode root, Optional<EventExpressions> expressions) {
      JsonNode source = root.get("source");
      if (source == null || !source.has("filter") || expressions.isEmpty()) {
        return null;
      }
      return condition(source, "filter", "source.filter", expressions.get());
    }

    Entity entity(JsonNode root, Optional<EventExpressions> expressions) {
      JsonNode entity = root.get("entity");
      if (entity == null || !entity.isObject()) {
        problem("entity", "is required: {name, keys: [{field, type}]}");
        return null;
      }
      onlyKnownKeys(entity, "entity.", Set.of("name", "keys"));
      String name = snakeCase(entity, "name", "entity.name");
      JsonNode keys = entity.get("keys");
      if (keys == null || !keys.isArray() || keys.isEmpty()) {
        problem(
            "entity.keys",
            "is required: a list of {field, type}, e.g. [{field: user_id, type: string}]");
        return null;
      }
      List<EntityKey> entityKeys = new ArrayList<>();
      int listKeys = 0;
      for (int i = 0; i < keys.size(); i++) {
        String path = "entity.keys[" + i + "]";
        JsonNode key = keys.get(i);
        if (!key.isObject()) {
          problem(path, "must be a mapping {field, type}");
          continue;
        }
        onlyKnownKeys(key, path + ".", Set.of("field", "type"));
        String field = text(key, "field", path + ".field");
        KeyType type = enumValue(key, "type", path, KeyType::fromYaml, "string or long");
        if (field == null || type == null || expressions.isEmpty()) {
          continue;
        }
        EventStream stream = expressions.get().stream();
        Optional<EventField> schemaField = stream.field(field);
        if (schemaField.isEmpty()) {
          problem(path + ".field", unknownField(field, stream));
          continue;
        }
        FieldType fieldType = schemaField.get().type();
        listKeys += fieldType == FieldType.STRING_LIST ? 1 : 0;
        KeyType fieldKeyType = fieldType == FieldType.LONG ? KeyType.LONG : KeyType.STRING;
        if (fieldKeyType != type) {
          problem(
              path + ".type",
              "'"
                  + type.yamlName()
                  + "' does not match "
                  + field
                  + ", which is a "
                  + fieldKeyType.yamlName()
                  + "; use type: "
                  + fieldKeyType.yamlName());
          continue;
        }
        if (entityKeys.stream().anyMatch(k -> k.field().equals(field))) {
          problem(path + ".field", "'" + field + "' appears twice in the key");
          continue;
        }
        entityKeys.add(new EntityKey(field, type));
      }
      if (listKeys > 1) {
        problem(
            "entity.keys", "has " + listKeys + " list fields; at most one key field may be a list");
      }
      return name == null || entityKeys.size() != keys.size() ? null : new Entity(name, entityKeys);
    }

    List<Feature> features(JsonNode root, Optional<EventExpressions> expressions, Entity entity) {
      JsonNode features = root.get("features");
      if (features == null || !features.isArray() || features.isEmpty()) {
        problem("features", "is required: a list with at least one feature");
        return List.of();
      }
      List<Feature> result = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < features.size(); i++) {
        String path = "features[" + i + "]";
        JsonNode node = features.get(i);
        if (!node.isObject()) {
          problem(path, "must be a mapping");
          continue;
        }
        Feature feature = feature(node, path, expressions);
        if (feature == null) {
          continue;
        }
        if (!names.add(feature.name())) {
          problem(path + ".name", "'" + feature.name() + "' appears twice in this contract");
        } else if (RESERVED_COLUMNS.contains(feature.name())
            || (entity != null && entity.keyFields().contains(feature.name()))) {
          problem(
              path + ".name",
              "'" + feature.name() + "' is a reserved column of the offline table; rename it");
        } else {
          result.add(feature);
        }
      }
      return result;
    }

    Duration emitMinInterval(JsonNode root) {
      JsonNode emit = root.get("emit");
      if (emit == null) {
        return null;
      }
      if (!emit.isObject()) {
        problem("emit", "must be a mapping: {min_interval: 30s}, or absent to write every change");
        return null;
      }
      onlyKnownKeys(emit, "emit.", Set.of("min_interval"));
      Duration interval = duration(emit, "min_interval", "emit.min_interval", true);
      if (interval != null && interval.isZero()) {
        problem("emit.min_interval", "'0s' must be positive; remove emit to write every change");
        return null;
      }
      return interval;
    }

    List<DerivedFeature> derived(JsonNode root, List<Feature> features, Entity entity) {
      JsonNode derived = root.get("derived");
      if (derived == null) {
        return List.of();
      }
      if (!derived.isArray()) {
        problem("derived", "must be a list of {name, type, expression}");
        return List.of();
      }
      FeatureExpressions expressions = new FeatureExpressions(features);
      Set<String> taken = new HashSet<>();
      features.forEach(feature -> taken.add(feature.name()));
      List<DerivedFeature> result = new ArrayList<>();
      for (int i = 0; i < derived.size(); i++) {
        String path = "derived[" + i + "]";
        JsonNode node = derived.get(i);
        if (!node.isObject()) {
          problem(path, "must be a mapping {name, type, expression}");
          continue;
        }
        onlyKnownKeys(node, path + ".", Set.of("name", "type", "expression"));
        String name = snakeCase(node, "name", path + ".name");
        FeatureType type =
            enumValue(
                node,
                "type",
                path,
                yaml -> FeatureType.fromYaml(yaml).filter(FeatureType::isNumeric),
                "long or double");
        String expression = text(node, "expression", path + ".expression");
        if (name == null || type == null || expression == null) {
          continue;
        }
        if (!taken.add(name)
            || RESERVED_COLUMNS.contains(name)
            || (entity != null && entity.keyFields().contains(name))) {
          problem(path + ".name", "'" + name + "' is already a column of this contract; rename it");
          continue;
        }
        CelType resultType;
        try {
          resultType = expressions.check(expression);
        } catch (CelValidationException e) {
          problem(
              path + ".expression",
              quoted(expression)
                  + " is not valid CEL over this contract's features: "
                  + celProblem(e.getMessage()));
          continue;
        }
        boolean fits =
            resultType.equals(SimpleType.INT)
                || (resultType.equals(SimpleType.DOUBLE) && type == FeatureType.DOUBLE);
        if (!fits) {
          problem(
              path + ".expression",
              "'"
                  + expression
                  + "' is "
                  + CelTypes.format(resultType)
                  + "; a "
                  + type.yamlName()
                  + " feature needs "
                  + (type == FeatureType.LONG ? "an int" : "a number"));
          continue;
        }
        result.add(new DerivedFeature(name, type, expression));
      }
      return result;
    }

    private Feature feature(JsonNode node, String path, Optional<EventExpressions> expressions) {
      int before = problems.size();
      onlyKnownKeys(node, path + ".", FEATURE_KEYS);
      String name = snakeCase(node, "name", path + ".name");
      FeatureType type =
          enumValue(node, "type", path, FeatureType::fromYaml, "long, double or string_list");
      Aggregation aggregation =
          enumValue(
              node,
              "aggregation",
              path,
              Aggregation::fromYaml,
              "count, sum, avg, min, max, first, last, ratio, stddev, distinct_count, top_k or"
                  + " adaptive_interval");
      Window window = window(node.get("window"), path + ".window");
      if (aggregation == null || expressions.isEmpty()) {
        return null;
      }
      EventExpressions events = expressions.get();
      String filter =
          node.has("filter") ? condition(node, "filter", path + ".filter", events) : null;
      String input = null;
      String numerator = null;
      String denominator = null;
      if (aggregation.foldsItems()) {
        input = itemInput(node, path, aggregation, events);
      } else if (aggregation.needsInput()) {
        input = numericInput(node, path, aggregation, type, events);
      } else if (node.has("input")) {
        problem(
            path + ".input",
            aggregation.yamlName() + " takes no input; use filter to choose the events");
      }
      if (aggregation == Aggregation.RATIO) {
        numerator = requiredCondition(node, "numerator", path, events);
        denominator = requiredCondition(node, "denominator", path, events);
      } else {
        for (String key : List.of("numerator", "denominator")) {
          if (node.has(key)) {
            problem(path + "." + key, "only ratio has a " + key + "; remove it");
          }
        }
      }
      Optional<FeatureType> fixed = aggregation.fixedType();
      if (type != null && fixed.isPresent() && fixed.get() != type) {
        problem(
            path + ".type",
            "'"
                + type.yamlName()
                + "' does not fit "
                + aggregation.yamlName()
                + ", which is a "
                + fixed.get().yamlName()
                + "; use type: "
                + fixed.get().yamlName());
      }
      if (type == FeatureType.STRING_LIST && fixed.isEmpty()) {
        problem(
            path + ".type",
            "'string_list' does not fit "
                + aggregation.yamlName()
                + ", which is a number; use type: long or double");
      }
      Integer k = null;
      if (aggregation == Aggregation.TOP_K) {
        k = k(node, path);
      } else if (node.has("k")) {
        problem(path + ".k", "only top_k has a k; remove it");
      }
      Double defaultValue = null;
      if (node.has("default") && aggregation == Aggregation.TOP_K) {
        problem(path + ".default", "top_k's empty value is the empty list; remove default");
      } else if (node.has("default") && aggregation == Aggregation.ADAPTIVE_INTERVAL) {
        problem(
            path + ".default",
            "adaptive_interval has no value before the entity's first change; remove default");
      } else if (node.has("default")) {
        defaultValue = defaultValue(node, path, type);
      }
      AdaptiveInterval adaptive = null;
      if (aggregation == Aggregation.ADAPTIVE_INTERVAL) {
        adaptive = adaptive(node, path);
        if (window != null && !window.isLifetime()) {
          problem(
              path + ".window.type",
              "'"
                  + window.kind().name().toLowerCase(Locale.ROOT)
                  + "' does not fit adaptive_interval, whose interval lives for the entity's life;"
                  + " use {type: lifetime, hop: 10s}");
        }
      } else if (node.has("adaptive")) {
        problem(path + ".adaptive", "only adaptive_interval has an adaptive block; remove it");
      }
      if (problems.size() > before) {
        return null;
      }
      return new Feature(
          name,
          type,
          aggregation,
          input,
          filter,
          numerator,
          denominator,
          window,
          defaultValue,
          k,
          adaptive);
    }

    /**
     * The parameters of an adaptive_interval feature: its {@code adaptive} block over {@link
     * AdaptiveInterval#DEFAULTS}, so every key is optional and so is the block.
     */
    private AdaptiveInterval adaptive(JsonNode node, String path) {
      AdaptiveInterval defaults = AdaptiveInterval.DEFAULTS;
      JsonNode block = node.get("adaptive");
      if (block == null) {
        return defaults;
      }
      String at = path + ".adaptive";
      if (!block.isObject()) {
        problem(
            at,
            "must be a mapping such as {initial: 10s, min: 1s, max: 300s, quiet_factor: 1.5,"
                + " busy_factor: 0.7, busy_at: 3}, or absent for those defaults");
        return null;
      }
      int before = problems.size();
      onlyKnownKeys(block, at + ".", ADAPTIVE_KEYS);
      Duration initial = adaptiveDuration(block, "initial", at, defaults.initial());
      Duration min = adaptiveDuration(block, "min", at, defaults.min());
      Duration max = adaptiveDuration(block, "max", at, defaults.max());
      if (min != null && min.isZero()) {
        problem(at + ".min", "'" + block.get("min").asText() + "' must be positive, e.g. min: 1s");
        min = null;
      }
      if (initial != null && min != null && max != null) {
        intervalOrder(block, at, initial, min, max);
      }
      double quietFactor =
          factor(
              block,
              "quiet_factor",
              at,
              defaults.quietFactor(),
              value -> value > 1,
              "must be a number above 1, e.g. quiet_factor: 1.5");
      double busyFactor =
          factor(
              block,
              "busy_factor",
              at,
              defaults.busyFactor(),
              value -> value > 0 && value < 1,
              "must be a number above 0 and below 1, e.g. busy_factor: 0.7");
      int busyAt = defaults.busyAt();
      JsonNode busyAtNode = block.get("busy_at");
      if (busyAtNode != null) {
        if (!busyAtNode.isIntegralNumber()
            || !busyAtNode.canConvertToInt()
            || busyAtNode.intValue() < 1) {
          problem(
              at + ".busy_at",
              "'"
                  + busyAtNode.asText()
                  + "' must be a whole number of at least 1, e.g. busy_at: 3");
        } else {
          busyAt = busyAtNode.intValue();
        }
      }
      if (problems.size() > before) {
        return null;
      }
      return new AdaptiveInterval(initial, min, max, quietFactor, busyFactor, busyAt);
    }

    private Duration adaptiveDuration(JsonNode block, String key, String at, Duration otherwise) {
      return block.has(key) ? duration(block, key, at + "." + key, true) : otherwise;
    }

    /**
     * Checks 0 < min <= initial <= max. A violation is reported at a key the contract wrote: the
     * larger of the two when both are written, or the one written beside a default.
     */
    private void intervalOrder(
        JsonNode block, String at, Duration initial, Duration min, Duration max) {
      if (min.compareTo(max) > 0) {
        outOfOrder(block, at, "max", max, "below", "min", min);
      } else if (initial.compareTo(min) < 0) {
        outOfOrder(block, at, "initial", initial, "below", "min", min);
      } else if (initial.compareTo(max) > 0) {
        outOfOrder(block, at, "initial", initial, "above", "max", max);
      }
    }

    /**
     * Reports {@code key} (value {@code value}) as {@code below} or above {@code other}; when the
     * contract left {@code key} out, the problem goes to {@code other}, which it wrote.
     */
    private void outOfOrder(
        JsonNode block,
        String at,
        String key,
        Duration value,
        String relation,
        String other,
        Duration otherValue) {
      String fix = "; need 0 < min <= initial <= max";
      if (block.has(key)) {
        problem(
            at + "." + key,
            "'"
                + block.get(key).asText()
                + "' is "
                + relation
                + " "
                + other
                + " "
                + Durations.format(otherValue)
                + (block.has(other) ? "" : " (the default)")
                + fix);
      } else {
        problem(
            at + "." + other,
            "'"
                + block.get(other).asText()
                + "' is "
                + (relation.equals("below") ? "above" : "below")
                + " "
                + key
                + " "
                + Durations.format(value)
                + " (the default)"
                + fix);
      }
    }

    private double factor(
        JsonNode block,
        String key,
        String at,
        double otherwise,
        DoublePredicate valid,
        String rule) {
      JsonNode value = block.get(key);
      if (value == null) {
        return otherwise;
      }
      if (!value.isNumber()
          || !Double.isFinite(value.doubleValue())
          || !valid.test(value.doubleValue())) {
        problem(at + "." + key, "'" + value.asText() + "' " + rule);
        return otherwise;
      }
      return value.doubleValue();
    }

    private Integer k(JsonNode node, String path) {
      JsonNode value = node.get("k");
      if (value == null) {
        problem(
            path + ".k",
            "is required for top_k: how many values to keep, 1 to "
                + Aggregation.MAX_TOP_K
                + ", e.g. k: 10");
        return null;
      }
      if (!value.isIntegralNumber()
          || !value.canConvertToInt()
          || value.intValue() < 1
          || value.intValue() > Aggregation.MAX_TOP_K) {
        problem(
            path + ".k",
            "'"
                + value.asText()
                + "' must be a whole number from 1 to "
                + Aggregation.MAX_TOP_K
                + ", e.g. k: 10");
        return null;
      }
      return value.intValue();
    }

    private Double defaultValue(JsonNode node, String path, FeatureType type) {
      JsonNode value = node.get("default");
      if (!value.isNumber()) {
        problem(path + ".default", "'" + value.asText() + "' must be a number, e.g. default: 0");
        return null;
      }
      boolean whole =
          value.canConvertToLong() && value.doubleValue() == Math.rint(value.doubleValue());
      if (type == FeatureType.LONG && !whole) {
        problem(
            path + ".default",
            "'" + value.asText() + "' is not a whole number; a long feature needs one, e.g. 0");
        return null;
      }
      return value.doubleValue();
    }

    private String numericInput(
        JsonNode node,
        String path,
        Aggregation aggregation,
        FeatureType type,
        EventExpressions events) {
      String source = text(node, "input", path + ".input");
      if (source == null) {
        return null;
      }
      Optional<EventExpressions.Checked> checked = expression(source, path + ".input", events);
      if (checked.isEmpty()) {
        return null;
      }
      if (!checked.get().isNumeric()) {
        problem(
            path + ".input",
            "'"
                + source
                + "' is "
                + checked.get().resultType().name()
                + "; "
                + aggregation.yamlName()
                + " needs a number (int or double)");
        return null;
      }
      boolean doubleInput = checked.get().resultType().equals(SimpleType.DOUBLE);
      if (doubleInput && type == FeatureType.LONG && aggregation.fixedType().isEmpty()) {
        problem(
            path + ".type",
            "'long' cannot hold the double input '" + source + "'; use type: double");
      }
      return source;
    }

    /**
     * The input of distinct_count or top_k: one value per event, told apart by its CEL value, so a
     * list or a map (many values) or dyn (values of several types) does not fit.
     */
    private String itemInput(
        JsonNode node, String path, Aggregation aggregation, EventExpressions events) {
      String source = text(node, "input", path + ".input");
      if (source == null) {
        return null;
      }
      Optional<EventExpressions.Checked> checked = expression(source, path + ".input", events);
      if (checked.isEmpty()) {
        return null;
      }
      CelKind kind = checked.get().resultType().kind();
      String problem = null;
      if (aggregation == Aggregation.TOP_K && kind != CelKind.STRING) {
        problem =
            SCALARS.contains(kind)
                ? "top_k needs a string; use string(" + source + ")"
                : "top_k needs one string per event, e.g. artist_id";
      } else if (!SCALARS.contains(kind)) {
        problem = "distinct_count needs one string, int, double or bool per event, e.g. song_id";
      }
      if (problem != null) {
        problem(
            path + ".input",
            "'" + source + "' is " + CelTypes.format(checked.get().resultType()) + "; " + problem);
        return null;
      }
      return source;
    }

    private String requiredCondition(
        JsonNode node, String key, String path, EventExpressions events) {
      if (!node.has(key)) {
        problem(path + "." + key, "is required for ratio: a CEL condition, e.g. action == 'skip'");
        return null;
      }
      return condition(node, key, path + "." + key, events);
    }

    private String condition(JsonNode node, String key, String path, EventExpressions events) {
      String source = text(node, key, path);
      if (source == null) {
        return null;
      }
      Optional<EventExpressions.Checked> checked = expression(source, path, events);
      if (checked.isPresent() && !checked.get().isBoolean()) {
        problem(
            path,
            "'"
                + source
                + "' is "
                + checked.get().resultType().name()
                + "; a condition must be true or false, e.g. action == 'play'");
        return null;
      }
      return checked.isPresent() ? source : null;
    }

    private Optional<EventExpressions.Checked> expression(
        String source, String path, EventExpressions events) {
      EventExpressions.Result result = events.check(source);
      if (result.checked() == null) {
        problem(
            path,
            quoted(source)
                + " is not valid CEL over "
                + events.stream().sourceName()
                + " events: "
                + celProblem(result.problem()));
      }
      return result.value();
    }

    private Window window(JsonNode node, String path) {
      if (node == null || !node.isObject()) {
        problem(
            path,
            "is required: {type: sliding, size, hop}, {type: tumbling, size} or {type: lifetime,"
                + " hop}");
        return null;
      }
      onlyKnownKeys(node, path + ".", Set.of("type", "size", "hop"));
      String type = text(node, "type", path + ".type");
      if ("lifetime".equals(type)) {
        return lifetimeWindow(node, path);
      }
      boolean sized = "sliding".equals(type) || "tumbling".equals(type);
      Duration size = duration(node, "size", path + ".size", sized);
      if (size != null && size.isZero()) {
        problem(path + ".size", "must be positive");
        return null;
      }
      if (type != null && !sized) {
        problem(
            path + ".type",
            "'" + type + "' is not a window type; expected sliding, tumbling or lifetime");
      }
      if (!sized || size == null) {
        return null;
      }
      if (type.equals("tumbling")) {
        if (node.has("hop")) {
          problem(path + ".hop", "a tumbling window has no hop; use type: sliding");
          return null;
        }
        return Window.tumbling(size);
      }
      Duration hop = duration(node, "hop", path + ".hop", true);
      if (hop == null) {
        return null;
      }
      if (hop.isZero() || hop.compareTo(size) > 0 || size.toMillis() % hop.toMillis() != 0) {
        problem(
            path + ".hop",
            "'"
                + Durations.format(hop)
                + "' must be positive and divide the size "
                + Durations.format(size)
                + " into whole steps");
        return null;
      }
      return Window.sliding(size, hop);
    }

    private Window lifetimeWindow(JsonNode node, String path) {
      boolean sized = node.has("size");
      if (sized) {
        problem(path + ".size", "a lifetime window has no size; remove it");
      }
      Duration hop = duration(node, "hop", path + ".hop", true);
      if (hop != null && hop.isZero()) {
        problem(path + ".hop", "'" + node.get("hop").asText() + "' must be positive, e.g. hop: 1h");
        return null;
      }
      return sized || hop == null ? null : Window.lifetime(hop);
    }

    Duration duration(JsonNode node, String field, boolean required) {
      return duration(node, field, field, required);
    }

    Duration duration(JsonNode node, String key, String path, boolean required) {
      if (!node.has(key)) {
        if (required) {
          problem(path, "is required: a duration such as 500ms, 30s, 10m, 2h or 7d");
        }
        return null;
      }
      JsonNode value = node.get(key);
      Optional<Duration> duration =
          value.isTextual() ? Durations.parse(value.textValue()) : Optional.empty();
      if (duration.isEmpty()) {
        problem(
            path, "'" + value.asText() + "' is not a duration such as 500ms, 30s, 10m, 2h or 7d");
        return null;
      }
      return duration.get();
    }

    String offlineTable(JsonNode root) {
      JsonNode offline = root.get("offline");
      if (offline == null || !offline.isObject()) {
        problem("offline", "is required: a mapping with the table name");
        return null;
      }
      onlyKnownKeys(offline, "offline.", Set.of("table", "partition_by"));
      return snakeCase(offline, "table", "offline.table");
    }

    /** The partition columns, a prefix of {@link #PARTITION_COLUMNS}; by date when absent. */
    List<String> partitionBy(JsonNode root) {
      JsonNode offline = root.get("offline");
      if (offline == null || !offline.has("partition_by")) {
        return PARTITION_COLUMNS.subList(0, 1);
      }
      JsonNode value = offline.get("partition_by");
      List<String> columns = new ArrayList<>();
      value.forEach(column -> columns.add(column.asText()));
      boolean prefix =
          value.isArray()
              && columns.size() <= PARTITION_COLUMNS.size()
              && columns.equals(PARTITION_COLUMNS.subList(0, columns.size()));
      if (!prefix) {
        problem(
            "offline.partition_by",
            "'"
                + (value.isArray() ? "[" + String.join(", ", columns) + "]" : value.asText())
                + "' is not valid; expected [] (unpartitioned), [event_date] or [event_date,"
                + " event_hour]");
        return null;
      }
      return columns;
    }

    /**
     * CEL's first line, "ERROR: <input>:1:8: undeclared ... (in container '')", made plain; a
     * problem of the whole expression, such as its length, has the position -1:0, which is dropped.
     */
    private static String celProblem(String message) {
      return message
          .lines()
          .findFirst()
          .orElse("")
          .replace("ERROR: <input>:-1:0: ", "")
          .replace("ERROR: <input>:", "at ")
          .replace(" (in container '')", "");
    }

    /**
     * An expression in quotes for a message, cut short when long: an expression too long to compile
     * may be a megabyte.
     */
    private static String quoted(String expression) {
      int shown = 80;
      if (expression.codePointCount(0, expression.length()) <= shown) {
        return "'" + expression + "'";
      }
      return "'"
          + expression.substring(0, expression.offsetByCodePoints(0, shown))
          + "...' ("
          + expression.codePointCount(0, expression.length())
          + " characters)";
    }

    private <T> T enumValue(
        JsonNode node,
        String key,
        String path,
        Function<String, Optional<T>> lookup,
        String expected) {
      String value = text(node, key, path + "." + key);
      if (value == null) {
        return null;
      }
      Optional<T> parsed = lookup.apply(value);
      if (parsed.isEmpty()) {
        problem(path + "." + key, "'" + value + "' is not valid; expected " + expected);
      }
      return parsed.orElse(null);
    }

    private static String unknownField(String field, EventStream stream) {
      return "'"
          + field
          + "' is not a field of "
          + stream.sourceName()
          + " events; known: "
          + stream.fields().stream().map(EventField::name).toList();
    }
  }
}
