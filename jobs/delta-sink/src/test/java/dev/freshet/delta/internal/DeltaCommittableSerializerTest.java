package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DeltaCommittableSerializerTest {

  /**
   * What the version 1 serializer (before event times) wrote for {@link #version1Committable()},
   * captured from it: checkpoints and savepoints hold such bytes and must keep restoring.
   */
  private static final String VERSION_1_BYTES =
      "00000006636c69636b730000002f6576656e745f646174653d323032362d3131"
          + "2d32332f706172742d30303030312e736e617070792e70617271756574000000"
          + "020000000a6576656e745f64617465010000000a323032362d31312d32330000"
          + "0006726567696f6e0000000000000004d20000019ab697e80000000000000000"
          + "2a000000117b226e756d5265636f726473223a34327d0000000000000007";

  private final DeltaCommittableSerializer serializer = new DeltaCommittableSerializer();

  private static DeltaCommittable version1Committable() {
    Map<String, String> partitions = new LinkedHashMap<>();
    partitions.put("event_date", "2026-11-23");
    partitions.put("region", null);
    return new DeltaCommittable(
        "clicks",
        "event_date=2026-11-23/part-00001.snappy.parquet",
        partitions,
        1234L,
        1_764_000_000_000L,
        42L,
        "{\"numRecords\":42}",
        7L,
        new TreeMap<>());
  }

  @Test
  void roundTripKeepsEveryField() throws IOException {
    Map<String, String> partitions = new LinkedHashMap<>();
    partitions.put("event_date", "2026-11-23");
    partitions.put("region", null);
    partitions.put("city", "Zürich ✓");
    SortedMap<Long, Long> rowsByEventTime = new TreeMap<>();
    rowsByEventTime.put(1_764_000_000_000L, 40L);
    rowsByEventTime.put(1_764_000_060_000L, 2L);
    rowsByEventTime.put(-1L, 1L);
    DeltaCommittable committable =
        new DeltaCommittable(
            "clicks",
            "event_date=2026-11-23/region=__HIVE_DEFAULT_PARTITION__/city=Z_rich__/part-00003-x.snappy.parquet",
            partitions,
            12_345L,
            1_764_000_000_000L,
            42L,
            "{\"numRecords\":42,\"minValues\":{\"n\":\"" + "x".repeat(70_000) + "\"}}",
            17L,
            rowsByEventTime);

    DeltaCommittable copy =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));

    assertThat(copy).isEqualTo(committable);
    assertThat(copy.partitionValues()).containsExactlyEntriesOf(partitions);
    assertThat(copy.checkpointId()).isEqualTo(17L);
    assertThat(copy.rowsByEventTime()).containsExactlyEntriesOf(rowsByEventTime);
  }

  @Test
  void unstampedCommittableRoundTripsToo() throws IOException {
    DeltaCommittable committable =
        new DeltaCommittable(
            "t",
            "part-0.parquet",
            Map.of(),
            1,
            2,
            3,
            "{}",
            DeltaCommittable.NO_CHECKPOINT,
            new TreeMap<>());

    assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(committable)))
        .isEqualTo(committable);
  }

  @Test
  void version1BytesFromBeforeEventTimesRestoreWithNoEventTimes() throws IOException {
    DeltaCommittable restored =
        serializer.deserialize(
            DeltaCommittableSerializer.WITHOUT_EVENT_TIMES,
            HexFormat.of().parseHex(VERSION_1_BYTES));

    assertThat(restored).isEqualTo(version1Committable());
    assertThat(restored.partitionValues()).containsEntry("region", null);
    assertThat(restored.rowsByEventTime()).isEmpty();
  }

  @Test
  void rowsByEventTimeIsAnImmutableCopy() {
    SortedMap<Long, Long> rowsByEventTime = new TreeMap<>(Map.of(1_000L, 2L));
    DeltaCommittable committable =
        new DeltaCommittable("t", "part-0.parquet", Map.of(), 1, 2, 3, "{}", 4, rowsByEventTime);

    rowsByEventTime.put(2_000L, 1L);

    assertThat(committable.rowsByEventTime()).containsExactly(Map.entry(1_000L, 2L));
    assertThat(committable.withCheckpointId(5).rowsByEventTime())
        .containsExactly(Map.entry(1_000L, 2L));
    assertThatThrownBy(() -> committable.rowsByEventTime().put(3_000L, 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unknownVersionIsRejected() {
    assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("serializer version 99");
  }
}
