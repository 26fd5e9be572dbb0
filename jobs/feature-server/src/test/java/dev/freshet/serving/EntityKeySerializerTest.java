package dev.freshet.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.online.FeastRedisLayout;
import feast.proto.types.ValueProto;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityKeySerializerTest {

  private static final byte[] PROJECT = "feast_demo".getBytes(StandardCharsets.UTF_8);

  @Test
  void int64KeyMatchesFeastsCheckedVector() {
    // REFERENCE.md section 1: driver_id = int64 1001, project feast_demo, version 2
    byte[] key =
        EntityKeySerializer.serialize(
            List.of("driver_id"),
            List.of(ValueProto.Value.newBuilder().setInt64Val(1001).build()),
            PROJECT);

    assertThat(HexFormat.of().formatHex(key))
        .isEqualTo(
            "02000000"
                + "6472697665725f6964"
                + "04000000"
                + "08000000"
                + "e903000000000000"
                + "66656173745f64656d6f");
  }

  @Test
  void readsTheKeysTheOnlineSinkWrites() {
    List<String> joinKeys = List.of("device", "host");
    byte[] written = FeastRedisLayout.redisKey(joinKeys, List.of(-7L, "host-ü"), "feast_demo");

    byte[] read =
        EntityKeySerializer.serialize(
            joinKeys,
            List.of(
                ValueProto.Value.newBuilder().setInt64Val(-7L).build(),
                ValueProto.Value.newBuilder().setStringVal("host-ü").build()),
            PROJECT);

    assertThat(read).isEqualTo(written);
  }

  @Test
  void int32ValueMakesAnotherKeyThanTheSameInt64() {
    byte[] asInt32 =
        EntityKeySerializer.serialize(
            List.of("device"),
            List.of(ValueProto.Value.newBuilder().setInt32Val(7).build()),
            PROJECT);

    assertThat(HexFormat.of().formatHex(asInt32))
        .isEqualTo(
            "02000000"
                + "646576696365"
                + "03000000"
                + "04000000"
                + "07000000"
                + "66656173745f64656d6f");
    assertThat(asInt32)
        .isNotEqualTo(FeastRedisLayout.redisKey(List.of("device"), List.of(7L), "feast_demo"));
  }

  @Test
  void valueWithoutCaseIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                EntityKeySerializer.serialize(
                    List.of("user_id"), List.of(ValueProto.Value.getDefaultInstance()), PROJECT))
        .isInstanceOf(FeatureRequestException.class)
        .hasMessage(
            "Unable to serialize entity key user_id: its value is VAL_NOT_SET; entity values are"
                + " strings, bytes, int32 or int64");
  }
}
