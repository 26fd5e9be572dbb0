package dev.freshet.job;

import dev.freshet.events.DeadLetterReason;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts the dead letters on their way to the dead-letter topic, by reason, in the counter {@value
 * #DEAD_LETTER_RECORDS} of the key-value group {@value #REASON}. Every dead letter of the job
 * passes here, undecodable records and late events alike. At least once: records replayed after a
 * failure count again, while the transactional topic holds them once.
 */
final class CountDeadLetters extends RichMapFunction<DeadLetter, DeadLetter> {

  static final String REASON = "reason";
  static final String DEAD_LETTER_RECORDS = "deadLetterRecords";

  private transient MetricGroup metrics;
  private transient Map<String, Counter> byReason;

  @Override
  public void open(OpenContext openContext) {
    metrics = getRuntimeContext().getMetricGroup();
    byReason = new HashMap<>();
    // Registered up front so that every reason has a series, at 0, before its first dead letter.
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      counterOf(reason.code());
    }
  }

  @Override
  public DeadLetter map(DeadLetter letter) {
    counterOf(letter.reason).inc();
    return letter;
  }

  private Counter counterOf(String reason) {
    return byReason.computeIfAbsent(
        reason, code -> metrics.addGroup(REASON, code).counter(DEAD_LETTER_RECORDS));
  }
}
