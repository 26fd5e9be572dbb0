package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.events.DeadLetterReason;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.job.EventFuzzer.Fuzzed;
import dev.freshet.job.EventFuzzer.Mutation;
import dev.freshet.testsupport.ConsumedRecord;
import dev.freshet.testsupport.KafkaRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hundred thousand records, half of them broken the ways producers and networks break them, run
 * through the whole job with every contract: the job never fails, and every record is accounted
 * for, either accepted as an event or in the dead-letter topic, never both and never neither.
 */
class FuzzedInputITCase {

  private static final int RECORDS = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(METRICS.addToConfiguration(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path tmp;

  @Test
  void everyRecordIsAcceptedOrDeadLetteredExactlyOnceAndTheJobNeverFails() throws Exception {
    JobRun run = new JobRun(tmp);
    List<Fuzzed> fuzzed = fuzzedRecords();
    run.produce(fuzzed.stream().map(Fuzzed::record).toList());

    JobExecutionResult result = execute(run);

    List<Fuzzed> broken = fuzzed.stream().filter(f -> !f.accepted()).toList();
    assertThat(broken.stream().map(Fuzzed::mutation).distinct())
        .as("every kind of breakage was produced")
        .hasSize((int) Arrays.stream(Mutation.values()).filter(m -> !m.accepted).count());
    List<ConsumedRecord> deadLetters =
        KafkaRecords.readAll(
            JobRun.BROKER.bootstrapServers(), run.deadLetterTopic, Duration.ofSeconds(60));
    Map<Boolean, List<ConsumedRecord>> lateOrNot =
        deadLetters.stream()
            .collect(
                Collectors.partitioningBy(
                    r ->
                        DeadLetterReason.LATE_EVENT
                            .code()
                            .equals(r.headerAsString(DeadLetterSerializer.REASON_HEADER))));
    List<ConsumedRecord> undecodable = lateOrNot.get(false);
    // Sorted, the lists compare in one walk; an unordered comparison of 50,000 takes quadratic
    // time.
    assertThat(undecodable.stream().map(r -> base64(r.value())).sorted().toList())
        .as("the dead-letter topic holds each broken record once, byte for byte")
        .containsExactlyElementsOf(
            broken.stream().map(f -> base64(f.record().value())).sorted().toList());

    long accepted = counterSum(result, ".*acceptedEvents");
    assertThat(accepted)
        .as("produced = accepted + dead-lettered")
        .isEqualTo(RECORDS - undecodable.size())
        .isEqualTo(fuzzed.stream().filter(Fuzzed::accepted).count());
    assertThat(counterSum(result, ".*deadLetterRecords")).isEqualTo(deadLetters.size());

    assertThat(lateOrNot.get(true))
        .as("events from 1970 are accepted, then late for the contracts they reach")
        .isNotEmpty()
        .allSatisfy(r -> assertThat(eventTimeOf(r)).isEqualTo(EventFuzzer.FAR_PAST_TS));
  }

  /**
   * A late event's time: a contract's late event names it {@code event_time}, a file observation
   * the normalizer could not place is the observation itself, with its {@code ts}.
   */
  private static long eventTimeOf(ConsumedRecord lateDeadLetter) throws Exception {
    JsonNode value = JSON.readTree(lateDeadLetter.value());
    return value.has("event_time") ? value.get("event_time").asLong() : value.path("ts").asLong();
  }

  /** Generated traffic from 2026, half of it broken, {@value #RECORDS} records in all. */
  private static List<Fuzzed> fuzzedRecords() {
    EventGenerator generator = EventGenerator.builder().seed(41).users(500).build();
    EventFuzzer fuzzer = new EventFuzzer(43, 0.5);
    List<Fuzzed> fuzzed = new ArrayList<>();
    for (long i = 0; fuzzed.size() < RECORDS; i++) {
      for (GeneratedRecord record : generator.next(JobRun.START + i * 10)) {
        if (fuzzed.size() < RECORDS) {
          fuzzed.add(fuzzer.fuzz(record));
        }
      }
    }
    return fuzzed;
  }

  private static JobExecutionResult execute(JobRun run) throws Exception {
    Configuration conf = run.flinkConfiguration();
    // No restarts: any failure of the job fails the test.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(1_000);
    FeatureJob.build(
        env,
        JobRun.CONTRACTS,
        FeatureJobConfig.builder()
            .bootstrapServers(JobRun.BROKER.bootstrapServers())
            .behaviourTopic(run.behaviourTopic)
            .fileTopic(run.fileTopic)
            .deadLetterTopic(run.deadLetterTopic)
            .consumerGroup("fuzz-" + run.behaviourTopic)
            .deltaBasePath(run.deltaPath.toString())
            .boundedInput(true)
            .build());
    return env.execute("feature job under fuzzed input");
  }

  private static long counterSum(JobExecutionResult result, String identifierPattern) {
    return METRICS.findMetrics(result.getJobID(), identifierPattern).values().stream()
        .map(Counter.class::cast)
        .mapToLong(Counter::getCount)
        .sum();
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
