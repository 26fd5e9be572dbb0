package dev.freshet.serving;

import feast.proto.types.ValueProto;
import feast.proto.types.ValueProto.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Redis key of one entity row, from the {@code Value}s a request carries: Feast's entity key
 * serialization version 2 followed by the project, byte for byte what {@link
 * dev.freshet.online.FeastRedisLayout#redisKey} writes for string and long keys.
 *
 * <p>Copied from Feast's Java server at v0.38.0 ({@code feast/serving/connectors/redis/retriever/
 * EntityKeySerializerV2.java} with version 2): join keys sorted by name, each as {@code u32 STRING}
 * and its UTF-8 bytes; then per value {@code u32 type}, {@code u32 length} and the bytes; string,
 * bytes, int32 and int64 values only. A value sent as int32 makes a different key than the same
 * number stored as int64, so it is not found, as in Feast. One difference: Feast's Java server
 * writes a string value's length in UTF-16 units, which breaks non-ASCII keys; this writes the
 * UTF-8 byte length, as Feast's Python SDK and Freshet's online sink do when they write the key.
 */
final class EntityKeySerializer {

  private EntityKeySerializer() {}

  /**
   * @param joinKeys the join keys present in the row, sorted by name
   * @param values one value per join key, in the same order
   */
  static byte[] serialize(List<String> joinKeys, List<ValueProto.Value> values, byte[] project) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    for (String joinKey : joinKeys) {
      writeInt(out, ValueType.Enum.STRING_VALUE);
      out.writeBytes(joinKey.getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < values.size(); i++) {
      ValueProto.Value value = values.get(i);
      switch (value.getValCase()) {
        case STRING_VAL -> {
          byte[] bytes = value.getStringVal().getBytes(StandardCharsets.UTF_8);
          writeInt(out, ValueType.Enum.STRING_VALUE);
          writeInt(out, bytes.length);
          out.writeBytes(bytes);
        }
        case BYTES_VAL -> {
          byte[] bytes = value.getBytesVal().toByteArray();
          writeInt(out, ValueType.Enum.BYTES_VALUE);
          writeInt(out, bytes.length);
          out.writeBytes(bytes);
        }
        case INT32_VAL -> {
          writeInt(out, ValueType.Enum.INT32_VALUE);
          writeInt(out, Integer.BYTES);
          writeInt(out, value.getInt32Val());
        }
        case INT64_VAL -> {
          writeInt(out, ValueType.Enum.INT64_VALUE);
          writeInt(out, Long.BYTES);
          long number = value.getInt64Val();
          writeInt(out, (int) number);
          writeInt(out, (int) (number >>> 32));
        }
        default ->
            throw new FeatureRequestException(
                "Unable to serialize entity key "
                    + joinKeys.get(i)
                    + ": its value is "
                    + value.getValCase()
                    + "; entity values are strings, bytes, int32 or int64");
      }
    }
    out.writeBytes(project);
    return out.toByteArray();
  }

  /** Little-endian, as Feast's {@code struct.pack("<I", ...)}. */
  private static void writeInt(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
    out.write(value >>> 16);
    out.write(value >>> 24);
  }
}
