package dev.freshet.contract;

import java.io.Serializable;
import java.util.List;

/** Keeps the events whose {@code field} equals one of {@code values} (compared as text). */
public record Filter(String field, List<String> values) implements Serializable {

  public Filter {
    values = List.copyOf(values);
  }

  public boolean matches(Object fieldValue) {
    return fieldValue != null && values.contains(String.valueOf(fieldValue));
  }
}
