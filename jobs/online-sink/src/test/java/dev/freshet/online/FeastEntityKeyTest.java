package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.types.ValueProto;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys from Feast {@code Value}s, as a serving request carries them ({@link
 * FeastRedisLayout#redisKeyOfValues}): the same bytes as the keys the sink writes, and Feast's
 * rules for the value types a request may use (EntityKeySerializerV2 in Feast's Java server at
 * v0.38.0).
 */
class FeastEntityKeyTest {

  private static final String PROJECT = "feast_demo";

  @Test
  void int64KeyMatchesFeastsCheckedVector() {
    // REFERENCE.md section 1: driver_id = int64 1001, project feast_demo, version 2
    byte[] key =
        FeastRedisLayout.redisKeyOfValues(
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
        FeastRedisLayout.redisKeyOfValues(
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
        FeastRedisLayout.redisKeyOfValues(
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
                FeastRedisLayout.redisKeyOfValues(
                    List.of("user_id"), List.of(ValueProto.Value.getDefaultInstance()), PROJECT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "entity key user_id is VAL_NOT_SET; entity values are strings, bytes, int32 or int64");
  }
}
