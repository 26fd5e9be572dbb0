package dev.freshet.job;

import dev.freshet.contract.Contract;
import dev.freshet.contract.EventExpressions;
import dev.freshet.events.Event;
import dev.freshet.events.EventStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each event to every contract of its stream, as that contract's {@link FeatureInput}s. An
 * event a contract's source filter rejects, that lacks the contract's key fields (a search has no
 * song), or that no feature of the contract accepts, is skipped for that contract.
 *
 * @param <E> the event type of the stream
 */
public class ContractRouter<E extends Event> extends ProcessFunction<E, FeatureInput> {

  private final List<Contract> contracts;

  private transient List<ContractInputs> inputs;

  /**
   * @param contracts the contracts whose source is the stream this router reads
   */
  public ContractRouter(List<Contract> contracts) {
    this.contracts = List.copyOf(contracts);
  }

  @Override
  public void open(OpenContext openContext) {
    inputs = new ArrayList<>();
    Map<EventStream, EventExpressions> expressions = new EnumMap<>(EventStream.class);
    for (Contract contract : contracts) {
      EventExpressions ofStream =
          expressions.computeIfAbsent(contract.source(), EventExpressions::forStream);
      Counter expressionErrors =
          ContractMetrics.contractGroup(getRuntimeContext().getMetricGroup(), contract.id())
              .counter(ContractMetrics.EXPRESSION_ERRORS);
      inputs.add(new ContractInputs(contract, ofStream, expressionErrors));
    }
  }

  @Override
  public void processElement(E event, Context ctx, Collector<FeatureInput> out) {
    Map<String, Object> variables = EventExpressions.variables(event);
    for (ContractInputs contract : inputs) {
      contract.inputsFor(event, variables).forEach(out::collect);
    }
  }
}
