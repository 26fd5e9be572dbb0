package dev.freshet.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Encodes events as the JSON the decoder reads: schema field names, absent fields omitted. */
public final class EventJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EventJson() {}

  public static byte[] encode(Event event) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (EventField field : event.stream().fields()) {
      Object value = field.derived() ? null : event.field(field.name());
      if (value != null) {
        json.put(field.name(), value);
      }
    }
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
