package dev.freshet.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {

  @Test
  void sameSeedSameRecords() {
    List<GeneratedRecord> first = generate(EventGenerator.builder().seed(7).build(), 500);
    List<GeneratedRecord> second = generate(EventGenerator.builder().seed(7).build(), 500);

    assertThat(first).hasSameSizeAs(second);
    for (int i = 0; i < first.size(); i++) {
      assertThat(first.get(i).value()).isEqualTo(second.get(i).value());
    }
  }

  @Test
  void wellFormedRecordsDecodeAndBrokenOnesDoNot() {
    EventGenerator generator = EventGenerator.builder().seed(3).malformedShare(0.1).build();
    int broken = 0;
    int renamesFrom = 0;
    int renamesTo = 0;
    for (GeneratedRecord record : generate(generator, 5_000)) {
      DecodeResult result = new EventDecoder(record.stream()).decode(record.value());
      if (record.malformed()) {
        broken++;
        assertThat(result).as(new String(record.value())).isInstanceOf(DecodeResult.Failed.class);
      } else {
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        if (((DecodeResult.Decoded) result).event() instanceof FileEvent fileEvent) {
          renamesFrom += fileEvent.op.equals("moved_from") ? 1 : 0;
          renamesTo += fileEvent.op.equals("moved_to") ? 1 : 0;
        }
      }
    }
    assertThat(broken).isBetween(350, 650);
    assertThat(renamesFrom).isPositive();
    assertThat(renamesTo).isPositive();
  }

  private static List<GeneratedRecord> generate(EventGenerator generator, int actions) {
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < actions; i++) {
      records.addAll(generator.next(1_700_000_000_000L + i * 10L));
    }
    return records;
  }
}
