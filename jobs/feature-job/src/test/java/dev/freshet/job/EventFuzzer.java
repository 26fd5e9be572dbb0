package dev.freshet.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import dev.freshet.events.FieldType;
import dev.freshet.events.GeneratedRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Breaks well-formed records the ways producers and networks break them. Each mutation knows by
 * construction whether its result must still be accepted: the fuzzer states what the job should do
 * without asking the job's decoder.
 */
final class EventFuzzer {

  /** One way of breaking a record, and whether the job must still accept what comes out. */
  enum Mutation {
    TRUNCATED_JSON(false),
    WRONG_TYPE(false),
    MISSING_REQUIRED_FIELD(false),
    MISSING_OPTIONAL_FIELD(true),
    HUGE_STRING(false),
    FAR_FUTURE_TIMESTAMP(false),
    FAR_PAST_TIMESTAMP(true),
    UNKNOWN_ENUM_VALUE(false),
    INVALID_UTF8(false),
    NOT_AN_OBJECT(false),
    RANDOM_BYTES(false),
    EMPTY(false);

    final boolean accepted;

    Mutation(boolean accepted) {
      this.accepted = accepted;
    }
  }

  /** A record as produced, with the mutation it went through (null when intact). */
  record Fuzzed(GeneratedRecord record, Mutation mutation) {
    boolean accepted() {
      return mutation == null || mutation.accepted;
    }
  }

  /** Event times this far back are behind any watermark of a run timed in 2026. */
  static final long FAR_PAST_TS = 86_400_000L;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FAR_FUTURE = Duration.ofDays(365);
  private static final int HUGE_STRING_CHARS = 100_000;

  private final Random random;
  private final double share;

  /** Breaks {@code share} of the records, spread evenly over the mutations. */
  EventFuzzer(long seed, double share) {
    this.random = new Random(seed);
    this.share = share;
  }

  Fuzzed fuzz(GeneratedRecord record) {
    if (random.nextDouble() >= share) {
      return new Fuzzed(record, null);
    }
    Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
    byte[] value = apply(mutation, record.stream(), record.value());
    return new Fuzzed(new GeneratedRecord(record.stream(), record.key(), value, true), mutation);
  }

  private byte[] apply(Mutation mutation, EventStream stream, byte[] value) {
    return switch (mutation) {
      case TRUNCATED_JSON -> Arrays.copyOf(value, 1 + random.nextInt(value.length - 1));
      case WRONG_TYPE -> {
        ObjectNode event = parse(value);
        EventField field = pick(requiredFields(stream));
        if (field.type() == FieldType.LONG) {
          event.put(field.name(), "soon");
        } else {
          event.put(field.name(), 42);
        }
        yield bytes(event);
      }
      case MISSING_REQUIRED_FIELD -> {
        ObjectNode event = parse(value);
        event.remove(pick(requiredFields(stream)).name());
        yield bytes(event);
      }
      case MISSING_OPTIONAL_FIELD -> {
        ObjectNode event = parse(value);
        event.remove(pick(optionalFields(stream)).name());
        yield bytes(event);
      }
      case HUGE_STRING -> {
        ObjectNode event = parse(value);
        event.put(stringField(stream), "x".repeat(HUGE_STRING_CHARS));
        yield bytes(event);
      }
      case FAR_FUTURE_TIMESTAMP -> {
        ObjectNode event = parse(value);
        event.put("ts", System.currentTimeMillis() + FAR_FUTURE.toMillis());
        yield bytes(event);
      }
      case FAR_PAST_TIMESTAMP -> {
        ObjectNode event = parse(value);
        event.put("ts", FAR_PAST_TS);
        yield bytes(event);
      }
      case UNKNOWN_ENUM_VALUE -> {
        ObjectNode event = parse(value);
        event.put(stream == EventStream.BEHAVIOUR ? "action" : "op", "dance");
        yield bytes(event);
      }
      case INVALID_UTF8 -> {
        // Inside the first string value: a lead byte followed by a byte that cannot continue it.
        int quote = indexOf(value, (byte) ':') + 2;
        byte[] broken = Arrays.copyOf(value, value.length + 2);
        System.arraycopy(value, quote, broken, quote + 2, value.length - quote);
        broken[quote] = (byte) 0xC3;
        broken[quote + 1] = (byte) 0x28;
        yield broken;
      }
      case NOT_AN_OBJECT ->
          pick(List.of("[1,2]", "null", "42", "\"play\"")).getBytes(StandardCharsets.UTF_8);
      case RANDOM_BYTES -> {
        byte[] noise = new byte[1 + random.nextInt(200)];
        random.nextBytes(noise);
        // A leading '{' makes the decoder go past the first byte before it gives up.
        noise[0] = '{';
        yield noise;
      }
      case EMPTY -> new byte[0];
    };
  }

  private static List<EventField> requiredFields(EventStream stream) {
    return stream.fields().stream().filter(f -> f.required() && !f.derived()).toList();
  }

  private static List<EventField> optionalFields(EventStream stream) {
    return stream.fields().stream().filter(f -> !f.required() && !f.derived()).toList();
  }

  private static String stringField(EventStream stream) {
    return stream == EventStream.BEHAVIOUR ? "user_id" : "path";
  }

  private <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    throw new IllegalArgumentException("no '" + (char) wanted + "' in the record");
  }

  private static ObjectNode parse(byte[] value) {
    try {
      return (ObjectNode) JSON.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(ObjectNode event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
