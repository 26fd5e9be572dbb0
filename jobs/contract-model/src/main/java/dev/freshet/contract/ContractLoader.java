package dev.freshet.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import dev.freshet.events.FieldType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads contract YAML files and validates them against the language and the event schemas. Every
 * problem of every file is collected and reported together, each with its file and field.
 */
public final class ContractLoader {

  /** Columns every offline table has besides the features. */
  public static final Set<String> RESERVED_COLUMNS = Set.of("feature_time", "event_date");

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Set<String> TOP_LEVEL_KEYS =
      Set.of(
          "name",
          "owner",
          "description",
          "entity",
          "source",
          "features",
          "ttl",
          "freshness_sla",
          "allowed_lateness",
          "offline");
  private static final Set<String> FEATURE_KEYS =
      Set.of("name", "type", "aggregation", "field", "filter", "window");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  /** Loads every {@code *.yaml} and {@code *.yml} file directly inside {@code directory}. */
  public List<Contract> loadDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ContractValidationException(
          List.of(new ContractProblem(directory.toString(), "", "is not a directory")));
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
            List.of(new ContractProblem(directory.toString(), "", "holds no contract files")));
      }
      return loadFiles(yamlFiles);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Contract> loadFiles(List<Path> files) {
    List<ContractProblem> problems = new ArrayList<>();
    List<Contract> contracts = new ArrayList<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        problems.add(new ContractProblem(file.toString(), "", "cannot be read: " + e.getMessage()));
        continue;
      }
      parse(file.toString(), text, problems).ifPresent(contracts::add);
    }
    checkUnique(contracts, problems);
    if (!problems.isEmpty()) {
      throw new ContractValidationException(problems);
    }
    return List.copyOf(contracts);
  }

  /** Parses one contract; problems are added to {@code problems}, and no contract is returned. */
  Optional<Contract> parse(String file, String text, List<ContractProblem> problems) {
    Checker check = new Checker(file, problems);
    JsonNode root;
    try {
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      check.problem("", "is not valid YAML: " + e.getOriginalMessage());
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      check.problem("", "must be a YAML mapping with the contract's fields");
      return Optional.empty();
    }
    int before = problems.size();
    check.onlyKnownKeys(root, "", TOP_LEVEL_KEYS);
    String name = check.snakeCase(root, "name");
    String owner = check.requiredText(root, "owner");
    String description = check.requiredText(root, "description");
    Optional<EventStream> source = check.source(root);
    Entity entity = check.entity(root, source);
    List<Feature> features = check.features(root, source, entity);
    Duration ttl = check.duration(root, "ttl", true);
    Duration freshnessSla = check.duration(root, "freshness_sla", true);
    Duration allowedLateness = check.duration(root, "allowed_lateness", false);
    String offlineTable = check.offlineTable(root);
    if (problems.size() > before) {
      return Optional.empty();
    }
    Contract contract =
        new Contract(
            name,
            owner,
            description,
            entity,
            source.orElseThrow(),
            features,
            ttl,
            freshnessSla,
            allowedLateness == null ? Duration.ZERO : allowedLateness,
            offlineTable,
            file);
    Duration needed =
        Duration.ofMillis(contract.largestWindowMillis()).plus(contract.allowedLateness());
    if (ttl.compareTo(needed) < 0) {
      check.problem(
          "ttl",
          "must be at least the largest window plus allowed_lateness ("
              + Durations.format(needed)
              + "), or state expires while its window is open");
      return Optional.empty();
    }
    return Optional.of(contract);
  }

  private static void checkUnique(List<Contract> contracts, List<ContractProblem> problems) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> tables = new HashMap<>();
    for (Contract contract : contracts) {
      String earlier = names.putIfAbsent(contract.name(), contract.file());
      if (earlier != null) {
        problems.add(
            new ContractProblem(
                contract.file(),
                "name",
                "'" + contract.name() + "' is already used by " + earlier));
      }
      String tableOwner = tables.putIfAbsent(contract.offlineTable(), contract.file());
      if (tableOwner != null) {
        problems.add(
            new ContractProblem(
                contract.file(),
                "offline.table",
                "'" + contract.offlineTable() + "' is already written by " + tableOwner));
      }
    }
  }

  /** Field-level checks of one file; each records a problem and returns null when invalid. */
  private static final class Checker {
    private final String file;
    private final List<ContractProblem> problems;

    Checker(String file, List<ContractProblem> problems) {
      this.file = file;
      this.problems = problems;
    }

    void problem(String field, String message) {
      problems.add(new ContractProblem(file, field, message));
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

    Optional<EventStream> source(JsonNode root) {
      String name = requiredText(root, "source");
      if (name == null) {
        return Optional.empty();
      }
      Optional<EventStream> stream = EventStream.bySourceName(name);
      if (stream.isEmpty()) {
        problem("source", "'" + name + "' is not a stream; expected behaviour or file");
      }
      return stream;
    }

    Entity entity(JsonNode root, Optional<EventStream> source) {
      JsonNode entity = root.get("entity");
      if (entity == null || !entity.isObject()) {
        problem("entity", "is required: a mapping with name and key");
        return null;
      }
      onlyKnownKeys(entity, "entity.", Set.of("name", "key"));
      String name = snakeCase(entity, "name", "entity.name");
      String key = text(entity, "key", "entity.key");
      if (key != null && source.isPresent()) {
        Optional<EventField> field = source.get().field(key);
        if (field.isEmpty()) {
          problem("entity.key", unknownField(key, source.get()));
          return null;
        }
        if (field.get().type() == FieldType.STRING_LIST) {
          problem("entity.key", "'" + key + "' is a list; an entity key must be a single value");
          return null;
        }
      }
      return name == null || key == null ? null : new Entity(name, key);
    }

    List<Feature> features(JsonNode root, Optional<EventStream> source, Entity entity) {
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
        Feature feature = feature(node, path, source);
        if (feature == null) {
          continue;
        }
        if (!names.add(feature.name())) {
          problem(path + ".name", "'" + feature.name() + "' appears twice in this contract");
        } else if (RESERVED_COLUMNS.contains(feature.name())
            || (entity != null && feature.name().equals(entity.keyField()))) {
          problem(
              path + ".name", "'" + feature.name() + "' is a reserved column of the offline table");
        } else {
          result.add(feature);
        }
      }
      return result;
    }

    private Feature feature(JsonNode node, String path, Optional<EventStream> source) {
      int before = problems.size();
      onlyKnownKeys(node, path + ".", FEATURE_KEYS);
      String name = snakeCase(node, "name", path + ".name");
      FeatureType type = enumValue(node, "type", path, FeatureType::fromYaml, "long or double");
      Aggregation aggregation =
          enumValue(
              node,
              "aggregation",
              path,
              Aggregation::fromYaml,
              "count, sum, avg, min, max or last");
      String field = inputField(node, path, aggregation, source);
      if (aggregation == Aggregation.COUNT && type == FeatureType.DOUBLE) {
        problem(path + ".type", "a count is a long");
      }
      if (aggregation == Aggregation.AVG && type == FeatureType.LONG) {
        problem(path + ".type", "an avg is a double");
      }
      Filter filter =
          node.has("filter") ? filter(node.get("filter"), path + ".filter", source) : null;
      Window window = window(node.get("window"), path + ".window");
      if (problems.size() > before) {
        return null;
      }
      return new Feature(name, type, aggregation, field, filter, window);
    }

    private String inputField(
        JsonNode node, String path, Aggregation aggregation, Optional<EventStream> source) {
      if (aggregation == null) {
        return null;
      }
      if (!aggregation.needsField()) {
        if (node.has("field")) {
          problem(path + ".field", "count takes no field; use a filter to choose the events");
        }
        return null;
      }
      String field = text(node, "field", path + ".field");
      if (field == null || source.isEmpty()) {
        return null;
      }
      Optional<EventField> schemaField = source.get().field(field);
      if (schemaField.isEmpty()) {
        problem(path + ".field", unknownField(field, source.get()));
        return null;
      }
      if (!schemaField.get().type().isNumeric()) {
        problem(
            path + ".field",
            "'" + field + "' is not numeric; " + aggregation.yamlName() + " needs a number");
        return null;
      }
      return field;
    }

    private Filter filter(JsonNode node, String path, Optional<EventStream> source) {
      if (!node.isObject()) {
        problem(path, "must be a mapping with field and equals or in");
        return null;
      }
      onlyKnownKeys(node, path + ".", Set.of("field", "equals", "in"));
      String field = text(node, "field", path + ".field");
      List<String> values = new ArrayList<>();
      if (node.has("equals") == node.has("in")) {
        problem(path, "needs exactly one of equals or in");
        return null;
      }
      JsonNode given = node.has("equals") ? node.get("equals") : node.get("in");
      String valuesPath = path + (node.has("equals") ? ".equals" : ".in");
      if (node.has("equals")) {
        if (!given.isValueNode() || given.isNull()) {
          problem(valuesPath, "must be a single value");
          return null;
        }
        values.add(given.asText());
      } else {
        if (!given.isArray() || given.isEmpty()) {
          problem(valuesPath, "must be a non-empty list of values");
          return null;
        }
        given.forEach(value -> values.add(value.asText()));
      }
      if (field == null || source.isEmpty()) {
        return null;
      }
      Optional<EventField> schemaField = source.get().field(field);
      if (schemaField.isEmpty()) {
        problem(path + ".field", unknownField(field, source.get()));
        return null;
      }
      if (schemaField.get().type() == FieldType.STRING_LIST) {
        problem(path + ".field", "'" + field + "' is a list; filters compare single values");
        return null;
      }
      List<String> allowed = schemaField.get().allowedValues();
      for (String value : values) {
        if (!allowed.isEmpty() && !allowed.contains(value)) {
          problem(
              valuesPath,
              "'" + value + "' is never a value of " + field + "; expected one of " + allowed);
          return null;
        }
      }
      return new Filter(field, values);
    }

    private Window window(JsonNode node, String path) {
      if (node == null || !node.isObject()) {
        problem(path, "is required: {type: sliding, size, hop} or {type: tumbling, size}");
        return null;
      }
      onlyKnownKeys(node, path + ".", Set.of("type", "size", "hop"));
      String type = text(node, "type", path + ".type");
      Duration size = duration(node, "size", path + ".size", true);
      if (type == null || size == null) {
        return null;
      }
      if (size.isZero()) {
        problem(path + ".size", "must be positive");
        return null;
      }
      switch (type) {
        case "tumbling" -> {
          if (node.has("hop")) {
            problem(path + ".hop", "a tumbling window has no hop; use type: sliding");
            return null;
          }
          return Window.tumbling(size);
        }
        case "sliding" -> {
          Duration hop = duration(node, "hop", path + ".hop", true);
          if (hop == null) {
            return null;
          }
          if (hop.isZero() || hop.compareTo(size) > 0 || size.toMillis() % hop.toMillis() != 0) {
            problem(
                path + ".hop", "must be positive and divide the size " + Durations.format(size));
            return null;
          }
          return Window.sliding(size, hop);
        }
        default -> {
          problem(
              path + ".type", "'" + type + "' is not a window type; expected sliding or tumbling");
          return null;
        }
      }
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
      onlyKnownKeys(offline, "offline.", Set.of("table"));
      return snakeCase(offline, "table", "offline.table");
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
