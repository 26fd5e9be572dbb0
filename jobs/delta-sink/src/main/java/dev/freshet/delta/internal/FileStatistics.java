package dev.freshet.delta.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.delta.DeltaColumn;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the Delta per-file statistics of one data file while it is written.
 *
 * <p>The JSON layout is the Delta protocol's (PROTOCOL.md, "Per-file Statistics"), copied
 * bit-for-bit: {@code {"numRecords":N,"minValues":{col:v},"maxValues":{col:v},"nullCount":{col:n}}}
 * over the data columns only (partition columns are described by the log's partition values). The
 * protocol lets a writer leave a column out of minValues/maxValues, and this one does where a bound
 * cannot be exact and safe: booleans, doubles once a NaN or infinity was seen (JSON cannot hold
 * them), a string maximum longer than {@link #MAX_STRING_STAT_LENGTH} code points (a truncated
 * prefix is a valid minimum but not a valid maximum), and string lists.
 *
 * <p>A STRING_LIST column gets a nullCount only, counting rows whose list is null (an empty list is
 * a value). PROTOCOL.md ("Per-file Statistics",
 * https://github.com/delta-io/delta/blob/master/PROTOCOL.md#per-file-statistics) defines nullCount
 * as "the number of null values for this column" and minValues/maxValues as the smallest and
 * largest value present in the file for the column, and says nothing more about arrays; Delta's
 * reference writer (spark/src/main/scala/org/apache/spark/sql/delta/stats/
 * StatisticsCollection.scala, statsCollector) counts nulls for every non-struct column, arrays
 * included, and collects minValues/maxValues only for skipping-eligible primitive types, which
 * arrays are not. Writing the same keeps this table's stats what Delta readers expect.
 *
 * <p>The statistics cover the file's own columns, never the table's: once a table has columns this
 * sink does not write (see {@link SchemaEvolution}), those are absent from its files' stats, as the
 * protocol has it ("Per-column statistics record information for each column in the file").
 */
final class FileStatistics {

  static final int MAX_STRING_STAT_LENGTH = 32;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ColumnStatistics> columns = new ArrayList<>();
  private long numRecords;

  FileStatistics(List<DeltaColumn> dataColumns) {
    for (DeltaColumn column : dataColumns) {
      columns.add(
          switch (column.type()) {
            case STRING -> new StringStatistics(column.name());
            case LONG -> new LongStatistics(column.name());
            case DOUBLE -> new DoubleStatistics(column.name());
            case BOOLEAN, STRING_LIST -> new ColumnStatistics(column.name());
          });
    }
  }

  /** Records one row; {@code dataValues} are in data column order. */
  void add(Object[] dataValues) {
    numRecords++;
    for (int i = 0; i < dataValues.length; i++) {
      columns.get(i).add(dataValues[i]);
    }
  }

  long numRecords() {
    return numRecords;
  }

  /** The statistics as a JSON document (what goes inside the AddFile's stats string). */
  String toJson() {
    ObjectNode stats = JSON.createObjectNode();
    stats.put("numRecords", numRecords);
    ObjectNode minValues = stats.putObject("minValues");
    ObjectNode maxValues = stats.putObject("maxValues");
    ObjectNode nullCount = stats.putObject("nullCount");
    for (ColumnStatistics column : columns) {
      column.writeMin(minValues);
      column.writeMax(maxValues);
      nullCount.put(column.name, column.nullCount);
    }
    try {
      return JSON.writeValueAsString(stats);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot render Delta file statistics", e);
    }
  }

  /**
   * Quotes a stats document as a JSON string literal. delta-standalone writes AddFile.stats raw
   * ({@code @JsonRawValue}), and the protocol wants a string there: passing the bare document would
   * write an object, and the next snapshot load of the table would fail.
   */
  static String asJsonStringLiteral(String statsJson) {
    try {
      return JSON.writeValueAsString(statsJson);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot quote Delta file statistics", e);
    }
  }

  /** Null count only; the subclasses add bounds. */
  private static class ColumnStatistics {
    final String name;
    long nullCount;

    ColumnStatistics(String name) {
      this.name = name;
    }

    final void add(Object value) {
      if (value == null) {
        nullCount++;
      } else {
        addNonNull(value);
      }
    }

    void addNonNull(Object value) {}

    void writeMin(ObjectNode minValues) {}

    void writeMax(ObjectNode maxValues) {}
  }

  private static final class LongStatistics extends ColumnStatistics {
    private boolean seen;
    private long min;
    private long max;

    LongStatistics(String name) {
      super(name);
    }

    @Override
    void addNonNull(Object value) {
      long number = ((Number) value).longValue();
      if (!seen) {
        min = number;
        max = number;
        seen = true;
      } else {
        min = Math.min(min, number);
        max = Math.max(max, number);
      }
    }

    @Override
    void writeMin(ObjectNode minValues) {
      if (seen) {
        minValues.put(name, min);
      }
    }

    @Override
    void writeMax(ObjectNode maxValues) {
      if (seen) {
        maxValues.put(name, max);
      }
    }
  }

  private static final class DoubleStatistics extends ColumnStatistics {
    private boolean seen;
    private boolean sawNonFinite;
    private double min;
    private double max;

    DoubleStatistics(String name) {
      super(name);
    }

    @Override
    void addNonNull(Object value) {
      double number = ((Number) value).doubleValue();
      if (!Double.isFinite(number)) {
        sawNonFinite = true;
      } else if (!seen) {
        min = number;
        max = number;
        seen = true;
      } else {
        min = Math.min(min, number);
        max = Math.max(max, number);
      }
    }

    @Override
    void writeMin(ObjectNode minValues) {
      if (seen && !sawNonFinite) {
        minValues.put(name, min);
      }
    }

    @Override
    void writeMax(ObjectNode maxValues) {
      if (seen && !sawNonFinite) {
        maxValues.put(name, max);
      }
    }
  }

  private static final class StringStatistics extends ColumnStatistics {
    private String min;
    private String max;

    StringStatistics(String name) {
      super(name);
    }

    @Override
    void addNonNull(Object value) {
      String text = (String) value;
      // Readers compare strings as UTF-8 bytes, which is code point order, not String.compareTo.
      if (min == null || compareCodePoints(text, min) < 0) {
        min = text;
      }
      if (max == null || compareCodePoints(text, max) > 0) {
        max = text;
      }
    }

    @Override
    void writeMin(ObjectNode minValues) {
      if (min != null) {
        minValues.put(name, prefix(min));
      }
    }

    @Override
    void writeMax(ObjectNode maxValues) {
      if (max != null && max.codePointCount(0, max.length()) <= MAX_STRING_STAT_LENGTH) {
        maxValues.put(name, max);
      }
    }

    private static String prefix(String text) {
      if (text.codePointCount(0, text.length()) <= MAX_STRING_STAT_LENGTH) {
        return text;
      }
      return text.substring(0, text.offsetByCodePoints(0, MAX_STRING_STAT_LENGTH));
    }

    static int compareCodePoints(String left, String right) {
      int i = 0;
      int j = 0;
      while (i < left.length() && j < right.length()) {
        int leftCodePoint = left.codePointAt(i);
        int rightCodePoint = right.codePointAt(j);
        if (leftCodePoint != rightCodePoint) {
          return Integer.compare(leftCodePoint, rightCodePoint);
        }
        i += Character.charCount(leftCodePoint);
        j += Character.charCount(rightCodePoint);
      }
      return Integer.compare(left.length() - i, right.length() - j);
    }
  }
}
