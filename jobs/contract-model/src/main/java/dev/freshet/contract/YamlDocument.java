package dev.freshet.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML document as a JSON tree plus the line and column of every field, addressed by the same
 * paths problems use ({@code features[1].window.hop}).
 *
 * <p>Hostile input is refused early and with bounded work: documents over {@link #MAX_CODE_POINTS},
 * more than {@link #MAX_ALIASES} aliases (alias bombs), nesting deeper than {@link #MAX_DEPTH},
 * more than {@link #MAX_NODES} values or {@link #MAX_DEPTH} levels once aliases are expanded, and
 * any explicit tag beyond YAML's standard ones.
 */
final class YamlDocument {

  static final int MAX_CODE_POINTS = 1_000_000;
  static final int MAX_ALIASES = 20;
  static final int MAX_DEPTH = 32;
  static final int MAX_NODES = 50_000;

  /** Where a value starts: 1-based line and column. */
  record Position(int line, int column) {
    static final Position START = new Position(1, 1);

    static Position of(Mark mark) {
      return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }
  }

  /** Why a text is not a usable YAML document, and where. */
  static final class Invalid extends Exception {
    final Position position;

    Invalid(String message, Position position) {
      super(message);
      this.position = position;
    }
  }

  private final JsonNode root;
  private final Map<String, Position> positions;

  private YamlDocument(JsonNode root, Map<String, Position> positions) {
    this.root = root;
    this.positions = positions;
  }

  static YamlDocument parse(String text) throws Invalid {
    if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
      throw new Invalid(
          "is larger than " + MAX_CODE_POINTS + " characters; a contract is a few kilobytes",
          Position.START);
    }
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setTagInspector(tag -> false);
    Node node;
    try {
      node = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      throw new Invalid("is not valid YAML: " + problem.strip(), position(mark));
    } catch (YAMLException e) {
      throw new Invalid("is not valid YAML: " + e.getMessage(), Position.START);
    }
    if (node == null) {
      throw new Invalid("is empty", Position.START);
    }
    Map<String, Position> positions = new HashMap<>();
    Converter converter = new Converter(positions);
    JsonNode root = converter.convert(node, "", 1);
    return new YamlDocument(root, positions);
  }

  JsonNode root() {
    return root;
  }

  /** Where {@code path} is, or where its nearest enclosing field is. */
  Position positionOf(String path) {
    String current = path;
    while (!current.isEmpty()) {
      Position position = positions.get(current);
      if (position != null) {
        return position;
      }
      current = parentOf(current);
    }
    return Position.START;
  }

  private static String parentOf(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  private static Position position(Mark mark) {
    return mark == null ? Position.START : Position.of(mark);
  }

  /**
   * Builds the JSON tree, counting every value and level so that expanded aliases cannot explode:
   * an alias may nest its anchor deeper than the text does, or inside itself ({@code a: &a [*a]}).
   */
  private static final class Converter {
    private final JsonNodeFactory json = JsonNodeFactory.instance;
    private final Map<String, Position> positions;
    private int nodes;

    Converter(Map<String, Position> positions) {
      this.positions = positions;
    }

    JsonNode convert(Node node, String path, int depth) throws Invalid {
      if (++nodes > MAX_NODES) {
        throw new Invalid(
            "expands to more than " + MAX_NODES + " values (aliases?); a contract is small",
            Position.of(node.getStartMark()));
      }
      if (depth > MAX_DEPTH) {
        throw new Invalid(
            "nests deeper than " + MAX_DEPTH + " levels through aliases; a contract is shallow",
            Position.of(node.getStartMark()));
      }
      if (!Tag.standardTags.contains(node.getTag())) {
        throw new Invalid(
            "has the tag '" + node.getTag() + "'; a contract holds plain values, without tags",
            Position.of(node.getStartMark()));
      }
      if (node instanceof MappingNode mapping) {
        ObjectNode object = json.objectNode();
        for (NodeTuple tuple : mapping.getValue()) {
          if (!(tuple.getKeyNode() instanceof ScalarNode key)
              || !Tag.standardTags.contains(key.getTag())) {
            throw new Invalid(
                "has a key that is not a plain name",
                Position.of(tuple.getKeyNode().getStartMark()));
          }
          String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          if (object.has(key.getValue())) {
            throw new Invalid(
                "has the key '" + childPath + "' twice; keep one", Position.of(key.getStartMark()));
          }
          positions.put(childPath, Position.of(key.getStartMark()));
          object.set(key.getValue(), convert(tuple.getValueNode(), childPath, depth + 1));
        }
        return object;
      }
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = json.arrayNode();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
          String childPath = path + "[" + i + "]";
          positions.put(childPath, Position.of(items.get(i).getStartMark()));
          array.add(convert(items.get(i), childPath, depth + 1));
        }
        return array;
      }
      return scalar((ScalarNode) node);
    }

    private JsonNode scalar(ScalarNode scalar) {
      String value = scalar.getValue();
      Tag tag = scalar.getTag();
      if (Tag.NULL.equals(tag)) {
        return json.nullNode();
      }
      if (Tag.BOOL.equals(tag)) {
        return json.booleanNode(Boolean.parseBoolean(value.toLowerCase()));
      }
      if (Tag.INT.equals(tag)) {
        return integer(value).<JsonNode>map(json::numberNode).orElseGet(() -> json.textNode(value));
      }
      if (Tag.FLOAT.equals(tag)) {
        try {
          return json.numberNode(Double.parseDouble(value.replace("_", "")));
        } catch (NumberFormatException e) {
          return json.textNode(value);
        }
      }
      return json.textNode(value);
    }

    private static Optional<Long> integer(String text) {
      try {
        return Optional.of(new BigInteger(text.replace("_", "")).longValueExact());
      } catch (NumberFormatException | ArithmeticException e) {
        return Optional.empty();
      }
    }
  }
}
