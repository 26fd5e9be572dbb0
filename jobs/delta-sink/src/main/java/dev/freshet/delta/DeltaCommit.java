package dev.freshet.delta;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One Delta commit of the sink: what it added to one table for one checkpoint.
 *
 * <p>Offline freshness of a row is {@code committedAtMillis} minus its event time; {@code
 * rowsByEventTime} gives it for every row the commit made visible.
 *
 * @param table the table committed to
 * @param checkpointId the Flink checkpoint whose files the commit added
 * @param deltaVersion the table version the commit created
 * @param rows the number of rows the commit added
 * @param committedAtMillis wall-clock time ({@link System#currentTimeMillis()}) taken right after
 *     the commit became durable in the Delta log
 * @param rowsByEventTime event time (epoch milliseconds) to the number of added rows with it,
 *     merged over all files of the commit; empty when the table records no event time (see {@link
 *     DeltaSinkBuilder#eventTimeColumn}), and without the rows whose event time is null
 */
public record DeltaCommit(
    String table,
    long checkpointId,
    long deltaVersion,
    long rows,
    long committedAtMillis,
    SortedMap<Long, Long> rowsByEventTime) {

  /** Copies {@code rowsByEventTime} into an unmodifiable map. */
  public DeltaCommit {
    Objects.requireNonNull(table, "table");
    rowsByEventTime =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(Objects.requireNonNull(rowsByEventTime, "rowsByEventTime")));
  }
}
