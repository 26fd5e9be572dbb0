package dev.freshet.job;

import dev.freshet.contract.Aggregation;
import dev.freshet.contract.Contract;
import dev.freshet.contract.Feature;
import dev.freshet.events.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each decoded event to every contract of its stream, as that contract's {@link
 * FeatureInput}; sends dead letters to {@link #DEAD_LETTERS} and counts them by reason. An event
 * without a value for a contract's entity key (a search has no song) is not about any entity of
 * that contract and is skipped for it; an event no feature of a contract accepts is skipped too.
 */
public class ContractRouter extends ProcessFunction<DecodedRecord, FeatureInput> {

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private final List<Contract> contracts;

  private transient MetricGroup deadLetterMetrics;
  private transient Map<String, Counter> deadLettersByReason;

  /**
   * @param contracts the contracts whose source is the stream this router reads
   */
  public ContractRouter(List<Contract> contracts) {
    this.contracts = List.copyOf(contracts);
  }

  @Override
  public void open(OpenContext openContext) {
    deadLetterMetrics = getRuntimeContext().getMetricGroup();
    deadLettersByReason = new HashMap<>();
  }

  @Override
  public void processElement(DecodedRecord record, Context ctx, Collector<FeatureInput> out) {
    if (record.deadLetter != null) {
      deadLettersByReason
          .computeIfAbsent(
              record.deadLetter.reason,
              reason -> deadLetterMetrics.addGroup("reason", reason).counter("deadLetterRecords"))
          .inc();
      ctx.output(DEAD_LETTERS, record.deadLetter);
      return;
    }
    Event event = record.event();
    for (Contract contract : contracts) {
      Object key = event.field(contract.entity().keyField());
      if (key == null) {
        continue;
      }
      double[] inputs = inputsFor(contract, event);
      if (inputs != null) {
        out.collect(new FeatureInput(contract.name(), key.toString(), event.eventTime(), inputs));
      }
    }
  }

  /** Per feature the value the event adds, NaN where it adds nothing; null if it adds nothing. */
  static double[] inputsFor(Contract contract, Event event) {
    List<Feature> features = contract.features();
    double[] inputs = new double[features.size()];
    boolean any = false;
    for (int f = 0; f < inputs.length; f++) {
      Feature feature = features.get(f);
      inputs[f] = Double.NaN;
      if (feature.filter() != null
          && !feature.filter().matches(event.field(feature.filter().field()))) {
        continue;
      }
      if (feature.aggregation() == Aggregation.COUNT) {
        inputs[f] = 1;
      } else if (event.field(feature.field()) instanceof Long value) {
        inputs[f] = value;
      }
      any |= !Double.isNaN(inputs[f]);
    }
    return any ? inputs : null;
  }
}
