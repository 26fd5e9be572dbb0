package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DelayedWatermarksTest {

  @Test
  void holdsWatermarksBackAndStampsRecordsWithTheirEventTime() throws Exception {
    try (OneInputStreamOperatorTestHarness<Long, Long> harness =
        new OneInputStreamOperatorTestHarness<>(
            new DelayedWatermarks<Long>(Duration.ofSeconds(1), time -> time))) {
      harness.open();

      harness.processElement(new StreamRecord<>(4_200L, 5_000L));
      harness.processWatermark(new Watermark(5_000));
      harness.processWatermark(new Watermark(Long.MIN_VALUE));
      harness.processWatermark(new Watermark(Long.MAX_VALUE));

      assertThat(harness.getOutput())
          .containsExactly(
              new StreamRecord<>(4_200L, 4_200L),
              new Watermark(4_000),
              new Watermark(Long.MIN_VALUE),
              new Watermark(Long.MAX_VALUE));
    }
  }
}
