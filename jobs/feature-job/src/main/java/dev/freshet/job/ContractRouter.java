package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.EventExpressions;
import dev.freshet.events.Event;
import java.util.ArrayList;
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
 * FeatureInput}s; sends dead letters to {@link #DEAD_LETTERS} and counts them by reason. An event a
 * contract's source filter rejects, that lacks the contract's key fields (a search has no song), or
 * that no feature of the contract accepts, is skipped for that contract.
 */
public class ContractRouter extends ProcessFunction<DecodedRecord, FeatureInput> {

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private final List<Contract> contracts;

  private transient List<ContractInputs> inputs;
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
    inputs = new ArrayList<>();
    contracts.forEach(contract -> inputs.add(new ContractInputs(contract)));
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
    Map<String, Object> variables = EventExpressions.variables(event);
    for (ContractInputs contract : inputs) {
      contract.inputsFor(event, variables).forEach(out::collect);
    }
  }
}
