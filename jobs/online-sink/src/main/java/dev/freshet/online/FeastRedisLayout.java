package dev.freshet.online;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The bytes of Feast's Redis online store, as Feast 0.38 writes and its Java server reads them. One
 * Redis hash per entity key and project; inside it one field per feature and one timestamp field
 * per feature view.
 *
 * <p>Copied bit for bit from Feast at tag v0.38.0, whose sources are authoritative (the published
 * {@code docs/specs/online_store_format.md} is out of date):
 *
 * <ul>
 *   <li>{@code sdk/python/feast/infra/key_encoding_utils.py}: {@code serialize_entity_key}, used
 *       with entity_key_serialization_version 2;
 *   <li>{@code sdk/python/feast/infra/online_stores/helpers.py}: {@code _redis_key} (serialized
 *       entity key, then the project's UTF-8 bytes) and {@code _mmh3} (murmur3 32-bit, seed 0, the
 *       hash as 4 little-endian bytes);
 *   <li>{@code sdk/python/feast/infra/online_stores/redis.py}: {@code online_write_batch} (field
 *       {@code _ts:<feature view>} holds a serialized {@code google.protobuf.Timestamp}; feature
 *       fields hold serialized {@code feast.types.Value}s);
 *   <li>{@code java/serving/src/main/java/feast/serving/connectors/redis/}: the Java server's
 *       reader of the same bytes.
 * </ul>
 */
public final class FeastRedisLayout {

  /** Feast's {@code ValueType.Enum} numbers used in entity keys (feast/types/Value.proto). */
  private static final int BYTES_TYPE = 1;

  private static final int STRING_TYPE = 2;
  private static final int INT32_TYPE = 3;
  private static final int INT64_TYPE = 4;

  private static final String TIMESTAMP_FIELD_PREFIX = "_ts:";

  private FeastRedisLayout() {}

  /**
   * The Redis key of one entity in one project: the entity key serialized with version 2, then the
   * project name. Join keys are sorted by name; values are {@link String}s or {@link Long}s, the
   * key types contracts have.
   */
  public static byte[] redisKey(List<String> joinKeys, List<?> values, String project) {
    List<ValueProto.Value> protoValues = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Object value = values.get(i);
      if (value instanceof String text) {
        protoValues.add(ValueProto.Value.newBuilder().setStringVal(text).build());
      } else if (value instanceof Long number) {
        protoValues.add(ValueProto.Value.newBuilder().setInt64Val(number).build());
      } else {
        throw new IllegalArgumentException(
            "entity key values are strings or longs, got "
                + (value == null ? "null" : value.getClass().getSimpleName())
                + (i < joinKeys.size() ? " for " + joinKeys.get(i) : ""));
      }
    }
    return redisKeyOfValues(joinKeys, protoValues, project);
  }

  /**
   * The Redis key of one entity in one project, from Feast {@code Value}s as a serving request
   * carries them: string, bytes, int32 or int64. An int32 makes another key than the same number as
   * int64, as in Feast. String lengths are UTF-8 bytes, as Feast's Python SDK writes them (Feast's
   * Java server counts UTF-16 units, which differs for non-ASCII keys).
   */
  public static byte[] redisKeyOfValues(
      List<String> joinKeys, List<ValueProto.Value> values, String project) {
    if (joinKeys.size() != values.size() || joinKeys.isEmpty()) {
      throw new IllegalArgumentException(
          "need one value per join key, got " + joinKeys + " and " + values.size() + " values");
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < joinKeys.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(joinKeys::get));

    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    for (int i : order) {
      writeInt(out, STRING_TYPE);
      out.writeBytes(utf8(joinKeys.get(i)));
    }
    for (int i : order) {
      ValueProto.Value value = values.get(i);
      switch (value.getValCase()) {
        case STRING_VAL -> writeSized(out, STRING_TYPE, utf8(value.getStringVal()));
        case BYTES_VAL -> writeSized(out, BYTES_TYPE, value.getBytesVal().toByteArray());
        case INT32_VAL -> writeSized(out, INT32_TYPE, littleEndian(value.getInt32Val()));
        case INT64_VAL ->
            writeSized(
                out,
                INT64_TYPE,
                ByteBuffer.allocate(Long.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(value.getInt64Val())
                    .array());
        default ->
            throw new IllegalArgumentException(
                "entity key "
                    + joinKeys.get(i)
                    + " is "
                    + value.getValCase()
                    + "; entity values are strings, bytes, int32 or int64");
      }
    }
    out.writeBytes(utf8(project));
    return out.toByteArray();
  }

  /** The hash field of one feature: murmur3_32 of {@code "<feature view>:<feature>"}. */
  public static byte[] featureField(String featureView, String feature) {
    byte[] name = utf8(featureView + ":" + feature);
    int hash = MurmurHash3.hash32x86(name, 0, name.length, 0);
    return littleEndian(hash);
  }

  /** The hash field holding the event time of a feature view's values. */
  public static byte[] timestampField(String featureView) {
    return utf8(TIMESTAMP_FIELD_PREFIX + featureView);
  }

  /** An event time as the serialized {@code google.protobuf.Timestamp} Feast stores. */
  public static byte[] timestamp(long epochMillis) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(epochMillis, 1000))
        .setNanos((int) Math.floorMod(epochMillis, 1000) * 1_000_000)
        .build()
        .toByteArray();
  }

  /** The event time in a timestamp field, in epoch millis. */
  public static long timestampMillis(byte[] serialized) {
    try {
      Timestamp timestamp = Timestamp.parseFrom(serialized);
      return timestamp.getSeconds() * 1000 + timestamp.getNanos() / 1_000_000;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a serialized google.protobuf.Timestamp", e);
    }
  }

  /**
   * A feature value as Feast's {@code Value}: {@link Long} → int64_val, {@link Double} →
   * double_val, a {@link List} of strings → string_list_val, null → no value (served as
   * NULL_VALUE). The case must match the feature's type in the registry, or Feast serves nothing.
   */
  public static ValueProto.Value value(Object value) {
    if (value == null) {
      return ValueProto.Value.getDefaultInstance();
    }
    if (value instanceof Long number) {
      return ValueProto.Value.newBuilder().setInt64Val(number).build();
    }
    if (value instanceof Double number) {
      return ValueProto.Value.newBuilder().setDoubleVal(number).build();
    }
    if (value instanceof List<?> list) {
      ValueProto.StringList.Builder strings = ValueProto.StringList.newBuilder();
      for (Object item : list) {
        strings.addVal((String) item);
      }
      return ValueProto.Value.newBuilder().setStringListVal(strings).build();
    }
    throw new IllegalArgumentException(
        "feature values are longs, doubles or lists of strings, got "
            + value.getClass().getSimpleName());
  }

  /** A type tag, a length and the bytes: how entity key values are laid out. */
  private static void writeSized(ByteArrayOutputStream out, int type, byte[] bytes) {
    writeInt(out, type);
    writeInt(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeInt(ByteArrayOutputStream out, int value) {
    out.writeBytes(littleEndian(value));
  }

  private static byte[] littleEndian(int value) {
    return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
