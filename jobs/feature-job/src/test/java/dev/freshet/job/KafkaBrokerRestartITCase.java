package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.events.Event;
import dev.freshet.events.EventGenerator;
import dev.freshet.events.GeneratedRecord;
import dev.freshet.localstack.KafkaBrokerProcess;
import dev.freshet.testsupport.Await;
import dev.freshet.testsupport.ConsumedRecord;
import dev.freshet.testsupport.KafkaRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker crashes (SIGKILL) while the job works through its input, and comes back {@link
 * #OUTAGE} later on the same address and data, as a restarted pod with its volume does: every table
 * must equal the features computed from the input the slow way, each row once, no data file twice,
 * and the dead-letter topic, written in Kafka transactions, must hold each malformed record exactly
 * once.
 */
class KafkaBrokerRestartITCase {

  private static final int RECORDS = 30_000;

  /**
   * Longer than the clients' request timeouts' retries within a checkpoint, shorter than Flink's.
   */
  private static final Duration OUTAGE = Duration.ofSeconds(15);

  @TempDir Path tmp;

  @Test
  void aBrokerCrashMidRunChangesNothingInTheTablesOrTheDeadLetters() throws Exception {
    KafkaBrokerProcess broker = KafkaBrokerProcess.start(tmp.resolve("broker"));
    try {
      JobRun run = new JobRun(tmp, broker.bootstrapServers());
      List<GeneratedRecord> malformed = new ArrayList<>();
      List<Event> events = produceWithTruncatedCopies(run, malformed);
      assertThat(malformed)
          .as("the truncated copies, one per hundred records")
          .hasSizeGreaterThanOrEqualTo(RECORDS / 100)
          .allMatch(GeneratedRecord::malformed);

      CompletableFuture<Void> job =
          CompletableFuture.runAsync(
              () -> {
                try {
                  run.execute(1_000, DeltaCommitListener.NONE);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Await.until(
          "a first Delta commit", Duration.ofMinutes(2), () -> anyTableCommitted(run.deltaPath));
      assertThat(job).as("the job is still at work when the broker crashes").isNotDone();
      broker.kill();
      Thread.sleep(OUTAGE.toMillis());
      broker = broker.restart();
      job.get(10, TimeUnit.MINUTES);

      List<ConsumedRecord> deadLetters =
          KafkaRecords.readAll(
              broker.bootstrapServers(), run.deadLetterTopic, Duration.ofMinutes(1));
      assertThat(deadLetters.stream().map(r -> base64(r.value())).toList())
          .as("each malformed record once in the dead-letter topic, and no late event")
          .containsExactlyInAnyOrderElementsOf(
              malformed.stream().map(r -> base64(r.value())).toList());
      for (Contract contract : JobRun.CONTRACTS) {
        assertThat(OfflineTableReader.addedPaths(run.deltaPath, contract))
            .as("files of " + contract.name())
            .doesNotHaveDuplicates();
        ReferenceTables.assertTableMatchesReference(run.deltaPath, contract, events);
      }
    } finally {
      broker.close();
    }
  }

  /**
   * Generated traffic with a truncated copy after every hundredth record, so that dead letters are
   * written throughout the run, the outage included; returns what the contracts see.
   */
  private static List<Event> produceWithTruncatedCopies(
      JobRun run, List<GeneratedRecord> malformed) {
    // 300 listeners keep every distinct count within the range an HLL sketch counts exactly.
    EventGenerator generator = EventGenerator.builder().seed(71).users(300).build();
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0, generated = 0; generated < RECORDS; i++) {
      for (GeneratedRecord record : generator.next(JobRun.START + i * 100L)) {
        records.add(record);
        if (++generated % 100 == 0) {
          byte[] value = record.value();
          records.add(
              new GeneratedRecord(
                  record.stream(), record.key(), Arrays.copyOf(value, value.length / 2), true));
        }
      }
    }
    return run.produceAll(generator, records, malformed);
  }

  private static boolean anyTableCommitted(Path deltaPath) {
    try (var tables = Files.list(deltaPath)) {
      return tables.anyMatch(
          table -> Files.exists(table.resolve("_delta_log").resolve("00000000000000000000.json")));
    } catch (java.io.IOException notYetCreated) {
      return false;
    }
  }

  private static String base64(byte[] value) {
    return Base64.getEncoder().encodeToString(value);
  }
}
