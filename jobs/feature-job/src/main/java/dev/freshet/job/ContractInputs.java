package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.EventExpressions;
import dev.freshet.contract.Feature;
import dev.freshet.events.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One contract's view of events, compiled: whether an event is relevant (the source filter), which
 * entities it is about (the key fields, a list field fanning out to one entity per element), and
 * what it adds to each feature (filters and input expressions in CEL). Not serializable: build it
 * in {@code open()}.
 */
final class ContractInputs {

  private static final Logger LOG = LoggerFactory.getLogger(ContractInputs.class);

  /** Joins the values of a composite entity key; never part of an event's text fields. */
  static final String KEY_PART_SEPARATOR = "\u001f";

  private final Contract contract;
  private final EventExpressions.Program sourceFilter;
  private final List<FeaturePrograms> features = new ArrayList<>();
  private final boolean hasItems;
  private final Counter expressionErrors;
  private boolean failedOnThisEvent;
  private boolean failureLogged;

  private record FeaturePrograms(
      Aggregation aggregation,
      EventExpressions.Program filter,
      EventExpressions.Program input,
      EventExpressions.Program numerator,
      EventExpressions.Program denominator) {}

  ContractInputs(Contract contract) {
    this(contract, EventExpressions.forStream(contract.source()), new SimpleCounter());
  }

  /**
   * @param expressions of the contract's stream, shared by every contract the router serves, so an
   *     expression several of them use is compiled once and runs once per event
   * @param expressionErrors counts the events on which one of the contract's expressions failed
   */
  ContractInputs(Contract contract, EventExpressions expressions, Counter expressionErrors) {
    this.contract = contract;
    this.expressionErrors = expressionErrors;
    this.sourceFilter = programOrNull(expressions, contract.sourceFilter());
    for (Feature feature : contract.features()) {
      features.add(
          new FeaturePrograms(
              feature.aggregation(),
              programOrNull(expressions, feature.filter()),
              programOrNull(expressions, feature.input()),
              programOrNull(expressions, feature.numerator()),
              programOrNull(expressions, feature.denominator())));
    }
    this.hasItems = contract.features().stream().anyMatch(f -> f.aggregation().foldsItems());
  }

  Contract contract() {
    return contract;
  }

  /** The contract's inputs for one event, one per entity the event is about; empty if none. */
  List<FeatureInput> inputsFor(Event event) {
    return inputsFor(event, EventExpressions.variables(event));
  }

  /**
   * As {@link #inputsFor(Event)}, with the event's CEL variables made once and shared by every
   * contract of the stream.
   */
  List<FeatureInput> inputsFor(Event event, Map<String, Object> variables) {
    if (event.stream() != contract.source()) {
      return List.of();
    }
    failedOnThisEvent = false;
    List<FeatureInput> inputs = collectInputs(event, variables);
    if (failedOnThisEvent) {
      expressionErrors.inc();
    }
    return inputs;
  }

  private List<FeatureInput> collectInputs(Event event, Map<String, Object> variables) {
    if (sourceFilter != null && !matches(sourceFilter, event, variables)) {
      return List.of();
    }
    List<String> entities = entityKeys(event);
    if (entities.isEmpty()) {
      return List.of();
    }
    double[] values = new double[features.size()];
    String[] items = hasItems ? new String[features.size()] : null;
    boolean any = false;
    for (int f = 0; f < values.length; f++) {
      FeaturePrograms feature = features.get(f);
      boolean accepted = feature.filter() == null || matches(feature.filter(), event, variables);
      if (feature.aggregation().foldsItems()) {
        values[f] = Double.NaN;
        items[f] = accepted ? item(feature, event, variables) : null;
        any |= items[f] != null;
      } else {
        values[f] = accepted ? value(feature, event, variables) : Double.NaN;
        any |= !Double.isNaN(values[f]);
      }
    }
    if (!any) {
      return List.of();
    }
    List<FeatureInput> inputs = new ArrayList<>(entities.size());
    for (String entity : entities) {
      inputs.add(new FeatureInput(contract.id(), entity, event.eventTime(), values, items));
    }
    return inputs;
  }

  /** The number an accepted event adds to a feature, NaN for none. */
  private double value(FeaturePrograms feature, Event event, Map<String, Object> variables) {
    return switch (feature.aggregation()) {
      case COUNT, ADAPTIVE_INTERVAL -> 1;
      case RATIO ->
          matches(feature.denominator(), event, variables)
              ? (matches(feature.numerator(), event, variables) ? 1 : 0)
              : Double.NaN;
      default -> {
        double number = feature.input().number(variables);
        noteFailure(feature.input(), event, variables);
        yield number;
      }
    };
  }

  /**
   * The item an accepted event adds to a distinct_count or top_k feature: the input's value as text
   * (the input has one scalar type, so texts of different types never meet), null for none.
   */
  private String item(FeaturePrograms feature, Event event, Map<String, Object> variables) {
    Optional<Object> value = feature.input().evaluate(variables);
    noteFailure(feature.input(), event, variables);
    return value.filter(ContractInputs::isScalar).map(String::valueOf).orElse(null);
  }

  private boolean matches(
      EventExpressions.Program program, Event event, Map<String, Object> variables) {
    boolean matches = program.matches(variables);
    noteFailure(program, event, variables);
    return matches;
  }

  /**
   * A failed expression (a division by zero, an overflow, the iteration budget) gives no value, as
   * an absent field does, but it is a fault in the contract or the data that must not pass unseen:
   * the contract's {@value ContractMetrics#EXPRESSION_ERRORS} counter, and the first failure logged
   * with its event.
   */
  private void noteFailure(
      EventExpressions.Program program, Event event, Map<String, Object> variables) {
    program
        .failureOn(variables)
        .ifPresent(
            failure -> {
              failedOnThisEvent = true;
              if (!failureLogged) {
                failureLogged = true;
                LOG.warn(
                    "contract {}: an expression failed on event {} ({}); the event adds nothing"
                        + " to the features it fed, and {} counts each such event",
                    contract.id(),
                    event.field("event_id"),
                    failure,
                    ContractMetrics.EXPRESSION_ERRORS);
              }
            });
  }

  /** CEL answers an expression over an absent field with an unknown, which is no value. */
  private static boolean isScalar(Object value) {
    return value instanceof String
        || value instanceof Long
        || value instanceof Double
        || value instanceof Boolean;
  }

  /**
   * The entity keys of an event: the key fields' values joined; a list-valued key field yields one
   * key per distinct element. No key when a key field is absent or an empty list.
   */
  private List<String> entityKeys(Event event) {
    List<String> keys = null;
    for (EntityKey key : contract.entity().keys()) {
      List<String> parts = keyParts(event.field(key.field()));
      if (keys == null) {
        keys = parts;
        continue;
      }
      List<String> extended = new ArrayList<>(keys.size() * parts.size());
      for (String prefix : keys) {
        for (String part : parts) {
          extended.add(prefix + KEY_PART_SEPARATOR + part);
        }
      }
      keys = extended;
    }
    return keys;
  }

  private static List<String> keyParts(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(Object::toString).distinct().toList();
    }
    return value == null ? List.of() : List.of(value.toString());
  }

  private static EventExpressions.Program programOrNull(
      EventExpressions expressions, String source) {
    return source == null ? null : expressions.program(source);
  }
}
