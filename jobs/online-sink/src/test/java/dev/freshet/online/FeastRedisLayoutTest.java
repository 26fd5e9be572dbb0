package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of Feast's Redis layout. Each expected value is derived from Feast's source at tag
 * v0.38.0, not from this code: {@code serialize_entity_key} in
 * sdk/python/feast/infra/key_encoding_utils.py (version 2: per sorted join key u32 STRING=2 and its
 * UTF-8 bytes; per value u32 type, u32 length, bytes; int64 as 8 little-endian bytes), {@code
 * _redis_key} and {@code _mmh3} in sdk/python/feast/infra/online_stores/helpers.py, and the
 * protobuf encodings of feast/types/Value.proto and google/protobuf/timestamp.proto.
 */
class FeastRedisLayoutTest {

  @Test
  void int64EntityKeyIsFeastsVersion2SerializationFollowedByTheProject() {
    // join key driver_id = int64 1001 in project feast_demo, as Feast 0.38's Python SDK writes it
    assertThat(hex(FeastRedisLayout.redisKey(List.of("driver_id"), List.of(1001L), "feast_demo")))
        .isEqualTo(
            "02000000"
                + "6472697665725f6964" // STRING, "driver_id"
                + "04000000"
                + "08000000"
                + "e903000000000000" // INT64, 8 bytes, 1001
                + "66656173745f64656d6f"); // "feast_demo"
  }

  @Test
  void joinKeysAreSortedByNameWithAllNamesBeforeAllValues() {
    byte[] key =
        FeastRedisLayout.redisKey(
            List.of("host", "directory"), List.of("h1", "/var/log"), "freshet");
    assertThat(hex(key))
        .isEqualTo(
            "02000000"
                + "6469726563746f7279" // STRING, "directory"
                + "02000000"
                + "686f7374" // STRING, "host"
                + "02000000"
                + "08000000"
                + "2f7661722f6c6f67" // STRING, 8 bytes, "/var/log"
                + "02000000"
                + "02000000"
                + "6831" // STRING, 2 bytes, "h1"
                + "66726573686574"); // "freshet"
  }

  @Test
  void featureFieldIsMurmur3OfViewAndFeatureAsLittleEndianBytes() {
    // mmh3.hash_bytes("driver_hourly_stats:conv_rate") as Feast's _mmh3 computes it
    assertThat(hex(FeastRedisLayout.featureField("driver_hourly_stats", "conv_rate")))
        .isEqualTo("6160e3da");
  }

  @Test
  void timestampFieldIsThePrefixedFeatureViewName() {
    assertThat(new String(FeastRedisLayout.timestampField("user_listening")))
        .isEqualTo("_ts:user_listening");
  }

  @Test
  void timestampIsAProtobufTimestampWithMillisecondsAsNanos() {
    byte[] timestamp = FeastRedisLayout.timestamp(1_700_000_000_250L);
    // field 1 seconds = varint 1700000000, field 2 nanos = varint 250000000
    assertThat(hex(timestamp)).isEqualTo("08" + "80e2cfaa06" + "10" + "80e59a77");
    assertThat(FeastRedisLayout.timestampMillis(timestamp)).isEqualTo(1_700_000_000_250L);
  }

  @Test
  void valuesAreFeastValueMessagesOfTheFeaturesType() {
    // int64_val = 4 (varint), double_val = 5 (64-bit), string_list_val = 12 (message of strings)
    assertThat(hex(FeastRedisLayout.value(1001L).toByteArray())).isEqualTo("20e907");
    assertThat(hex(FeastRedisLayout.value(0.25).toByteArray())).isEqualTo("29000000000000d03f");
    assertThat(hex(FeastRedisLayout.value(List.of("a", "bc")).toByteArray()))
        .isEqualTo("6207" + "0a0161" + "0a026263");
    assertThat(FeastRedisLayout.value(null).toByteArray()).isEmpty();
  }

  @Test
  void refusesEntityValuesFeastCannotKey() {
    assertThatThrownBy(() -> FeastRedisLayout.redisKey(List.of("x"), List.of(1.5), "p"))
        .hasMessageContaining("strings or longs");
    assertThatThrownBy(() -> FeastRedisLayout.redisKey(List.of("x", "y"), List.of("a"), "p"))
        .hasMessageContaining("one value per join key");
  }

  @Test
  void encoderWritesOneFieldAndValuePerFeature() {
    FeatureViewEncoder encoder =
        new FeatureViewEncoder(
            "feast_demo",
            "driver_hourly_stats",
            List.of("driver_id"),
            List.of("conv_rate", "trips"),
            Duration.ofHours(2));
    OnlineRow row = encoder.encode(List.of(1001L), 5_000L, new Object[] {0.25, null});

    assertThat(row.featureView).isEqualTo("driver_hourly_stats");
    assertThat(row.key)
        .isEqualTo(FeastRedisLayout.redisKey(List.of("driver_id"), List.of(1001L), "feast_demo"));
    assertThat(row.eventTimeMillis).isEqualTo(5_000L);
    assertThat(hex(row.fields[0])).isEqualTo("6160e3da");
    assertThat(row.fields[1])
        .isEqualTo(FeastRedisLayout.featureField("driver_hourly_stats", "trips"));
    assertThat(Arrays.stream(row.values).map(FeastRedisLayoutTest::hex))
        .containsExactly("29000000000000d03f", "");
    assertThat(row.expiryMillis).isEqualTo(7_200_000L);
    assertThatThrownBy(() -> encoder.encode(List.of(1001L), 5_000L, new Object[] {0.25}))
        .hasMessageContaining("has 2 features, got 1");
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
