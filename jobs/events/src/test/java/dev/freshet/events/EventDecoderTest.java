package dev.freshet.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventDecoderTest {

  private final EventDecoder behaviour = new EventDecoder(EventStream.BEHAVIOUR);
  private final EventDecoder file = new EventDecoder(EventStream.FILE);

  @Test
  void decodesEveryBehaviourField() {
    DecodeResult result =
        behaviour.decode(
            bytes(
                "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"song_id\":\"s1\",\"artist_id\":\"a1\","
                    + "\"action\":\"play\",\"played_ms\":61000,\"song_ms\":200000,"
                    + "\"tags\":[\"rock\",\"focus\"],\"session_id\":\"x\",\"device\":\"car\","
                    + "\"ts\":1700000000000,\"added_later\":true}"));

    assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
    BehaviourEvent event = (BehaviourEvent) ((DecodeResult.Decoded) result).event();
    assertThat(event.userId).isEqualTo("u1");
    assertThat(event.playedMs).isEqualTo(61_000L);
    assertThat(event.tags).containsExactly("rock", "focus");
    assertThat(event.eventTime()).isEqualTo(1_700_000_000_000L);
    assertThat(event.field("device")).isEqualTo("car");
  }

  @Test
  void fileEventsDeriveTheirDirectory() {
    DecodeResult result =
        file.decode(
            bytes(
                "{\"event_id\":\"f1\",\"host\":\"h\",\"path\":\"/srv/a/b.txt\",\"device\":2049,"
                    + "\"inode\":7,\"op\":\"write\",\"channel\":\"poll\",\"ts\":5}"));

    FileEvent event = (FileEvent) ((DecodeResult.Decoded) result).event();
    assertThat(event.field("directory")).isEqualTo("/srv/a");
    assertThat(event.field("size")).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"event_id\":\"e1\"}                                                  | missing_field | user_id: required",
        "[1,2]                                                                  | not_an_object | expected a JSON object",
        "{\"event_id\":\"e1\",\"user_id\":\"u\",\"action\":\"play\",\"ts\":\"x\"} | wrong_type    | ts: expected an integer",
        "{\"event_id\":\"e1\",\"user_id\":\"u\",\"action\":\"dance\",\"ts\":1}  | unknown_value | action: 'dance' is not one of",
        "{\"event_id\":\"\",\"user_id\":\"u\",\"action\":\"play\",\"ts\":1}     | invalid_value | event_id: empty",
        "{\"event_id\":\"e\",\"user_id\":\"u\",\"action\":\"play\",\"ts\":-4}   | invalid_value | ts: negative",
        "{\"event_id\":\"e\",\"user_id\":\"u\",\"action\":\"play\",\"ts\":1,\"tags\":[1]} | wrong_type | tags: expected an array of strings",
      })
  void explainsWhyARecordIsADeadLetter(String json, String reason, String detail) {
    DecodeResult result = behaviour.decode(bytes(json.strip()));

    assertThat(result).isInstanceOf(DecodeResult.Failed.class);
    DecodeResult.Failed failed = (DecodeResult.Failed) result;
    assertThat(failed.reason().code()).isEqualTo(reason);
    assertThat(failed.detail()).startsWith(detail);
  }

  @Test
  void truncatedJsonIsNotJson() {
    DecodeResult result = behaviour.decode(bytes("{\"event_id\":\"e1\",\"us"));

    assertThat(((DecodeResult.Failed) result).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
  }

  @Test
  void invalidUtf8IsNotJson() {
    byte[] invalid = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    DecodeResult result = behaviour.decode(invalid);

    assertThat(((DecodeResult.Failed) result).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
  }

  @Test
  void stringsAndListsAreBoundedSoNoValueCanSwellTheJobsState() {
    String longest = "u".repeat(EventDecoder.MAX_STRING_CHARS);
    String tooLong = longest + "u";
    String manyTags = "[" + "\"t\",".repeat(EventDecoder.MAX_LIST_ELEMENTS) + "\"t\"]";

    assertThat(behaviour.decode(behaviourWith("\"" + longest + "\"", "[]")))
        .isInstanceOf(DecodeResult.Decoded.class);
    assertThat(detailOf(behaviour.decode(behaviourWith("\"" + tooLong + "\"", "[]"))))
        .isEqualTo("user_id: 4097 characters, more than 4096");
    assertThat(detailOf(behaviour.decode(behaviourWith("\"u\"", manyTags))))
        .isEqualTo("tags: 257 elements, more than 256");
    assertThat(detailOf(behaviour.decode(behaviourWith("\"u\"", "[\"" + tooLong + "\"]"))))
        .isEqualTo("tags: an element of more than 4096 characters");
  }

  private static byte[] behaviourWith(String userId, String tags) {
    return bytes(
        "{\"event_id\":\"e\",\"user_id\":"
            + userId
            + ",\"action\":\"play\",\"ts\":1,\"tags\":"
            + tags
            + "}");
  }

  private static String detailOf(DecodeResult result) {
    DecodeResult.Failed failed = (DecodeResult.Failed) result;
    assertThat(failed.reason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
    return failed.detail();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
