package dev.freshet.delta;

import java.io.Serializable;
import java.util.Objects;

/**
 * One column of a {@link DeltaTableSchema}.
 *
 * @param nullable whether rows may carry null in this column; a null in a non-nullable column is
 *     rejected by the writer
 */
public record DeltaColumn(String name, DeltaColumnType type, boolean nullable)
    implements Serializable {

  public DeltaColumn {
    Objects.requireNonNull(name, "column name");
    Objects.requireNonNull(type, () -> "type of column '" + name + "'");
  }

  public static DeltaColumn required(String name, DeltaColumnType type) {
    return new DeltaColumn(name, type, false);
  }

  public static DeltaColumn nullable(String name, DeltaColumnType type) {
    return new DeltaColumn(name, type, true);
  }
}
