package dev.freshet.delta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaCommittableSerializerTest {

  private final DeltaCommittableSerializer serializer = new DeltaCommittableSerializer();

  @Test
  void roundTripKeepsEveryField() throws IOException {
    Map<String, String> partitions = new LinkedHashMap<>();
    partitions.put("event_date", "2026-11-23");
    partitions.put("region", null);
    partitions.put("city", "Zürich ✓");
    DeltaCommittable committable =
        new DeltaCommittable(
            "clicks",
            "event_date=2026-11-23/region=__HIVE_DEFAULT_PARTITION__/city=Z_rich__/part-00003-x.snappy.parquet",
            partitions,
            12_345L,
            1_764_000_000_000L,
            42L,
            "{\"numRecords\":42,\"minValues\":{\"n\":\"" + "x".repeat(70_000) + "\"}}",
            17L);

    DeltaCommittable copy =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));

    assertThat(copy).isEqualTo(committable);
    assertThat(copy.partitionValues()).containsExactlyEntriesOf(partitions);
    assertThat(copy.checkpointId()).isEqualTo(17L);
  }

  @Test
  void unstampedCommittableRoundTripsToo() throws IOException {
    DeltaCommittable committable =
        new DeltaCommittable(
            "t", "part-0.parquet", Map.of(), 1, 2, 3, "{}", DeltaCommittable.NO_CHECKPOINT);

    assertThat(serializer.deserialize(1, serializer.serialize(committable))).isEqualTo(committable);
  }

  @Test
  void unknownVersionIsRejected() {
    assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("serializer version 99");
  }
}
