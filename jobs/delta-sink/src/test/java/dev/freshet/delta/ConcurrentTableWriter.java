package dev.freshet.delta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.delta.internal.DeltaCommittable;
import dev.freshet.delta.internal.DeltaSinkSettings;
import dev.freshet.delta.internal.DeltaSinkWriter;
import dev.freshet.delta.internal.TableLayout;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.Metadata;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.apache.hadoop.conf.Configuration;

/**
 * Another engine writing the same Delta table as the sink, through delta-standalone directly: on
 * one thread, a commit at a fixed pause after the previous one, each a blind append of its own
 * Parquet files except every {@code metadataChangeEvery}-th, which changes a table property
 * instead. It remembers exactly what it committed, so a test can tell what the table must hold.
 *
 * <p>Its data files are written by the sink's own file writer (Parquet of the table's schema, the
 * sink's statistics), under a writer index no sink subtask has, so its files are real, readable
 * rows that never share a name with the sink's.
 */
final class ConcurrentTableWriter implements AutoCloseable {

  /** How this writer signs its commits ({@code commitInfo.engineInfo} starts with it). */
  static final String ENGINE_INFO = "another-engine/1.0";

  /** The table property each metadata change sets, to the number of that change. */
  static final String CHANGE_NUMBER_PROPERTY = "another-engine.metadata-change";

  // The file writer's index goes into file names (part-00077-<uuid>); sink subtasks count from 0.
  private static final int FILE_WRITER_INDEX = 77;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeltaTableSchema schema;
  private final DeltaLog log;
  private final DeltaSinkWriter files;
  private final LongFunction<DeltaRow> rowForId;
  private final int rowsPerAppend;
  private final int metadataChangeEvery;
  private final ScheduledExecutorService committer =
      Executors.newSingleThreadScheduledExecutor(
          task -> new Thread(task, "another-engine-committer"));

  // Written by the committer thread, read by the test once it has stopped.
  private final Queue<DeltaRow> committedRows = new ConcurrentLinkedQueue<>();
  private final AtomicInteger appends = new AtomicInteger();
  private final AtomicInteger metadataChanges = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  // Committer thread only.
  private long nextRowId;
  private int commitsStarted;

  /**
   * @param basePath the directory holding the table, as for the sink
   * @param rowForId the row this writer appends for an id; ids start at {@code firstRowId}
   */
  ConcurrentTableWriter(
      Path basePath,
      DeltaTableSchema schema,
      Map<String, String> hadoopConfiguration,
      LongFunction<DeltaRow> rowForId,
      long firstRowId,
      int rowsPerAppend,
      int metadataChangeEvery) {
    this.schema = schema;
    Configuration configuration = new Configuration();
    hadoopConfiguration.forEach(configuration::set);
    this.log =
        DeltaLog.forTable(configuration, basePath.resolve(schema.tableName()).toUri().toString());
    // The file writer only needs where the table is and its schema; it never uses the app id.
    this.files =
        new DeltaSinkWriter(
            new DeltaSinkSettings(
                basePath.toUri().toString(),
                List.of(schema),
                ENGINE_INFO,
                hadoopConfiguration,
                DeltaCommitListener.NONE,
                1,
                null),
            FILE_WRITER_INDEX);
    this.rowForId = rowForId;
    this.nextRowId = firstRowId;
    this.rowsPerAppend = rowsPerAppend;
    this.metadataChangeEvery = metadataChangeEvery;
  }

  /** Creates the table with the schema the sink writes (version 0), before anyone else writes. */
  void createTable() {
    TableLayout layout = new TableLayout(schema);
    Metadata metadata =
        Metadata.builder()
            .id(UUID.randomUUID().toString())
            .name(schema.tableName())
            .schema(layout.deltaSchema())
            .partitionColumns(schema.partitionColumns())
            .createdTime(System.currentTimeMillis())
            .build();
    log.startTransaction()
        .commit(List.of(metadata), new Operation(Operation.Name.CREATE_TABLE), ENGINE_INFO);
  }

  /** Starts committing, one commit at a time, {@code pause} after the end of the previous one. */
  void start(Duration pause) {
    committer.scheduleWithFixedDelay(this::commitOnce, 0, pause.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void commitOnce() {
    try {
      commitsStarted++;
      if (commitsStarted % metadataChangeEvery == 0) {
        changeTableProperty();
      } else {
        appendFiles();
      }
    } catch (Throwable e) {
      // Stops the schedule; close() reports it.
      failure.compareAndSet(null, e);
      committer.shutdown();
    }
  }

  private void appendFiles() throws IOException {
    List<DeltaRow> rows = new ArrayList<>(rowsPerAppend);
    for (int i = 0; i < rowsPerAppend; i++) {
      DeltaRow row = rowForId.apply(nextRowId++);
      files.write(row, null);
      rows.add(row);
    }
    List<Action> adds = new ArrayList<>();
    for (DeltaCommittable file : files.prepareCommit()) {
      adds.add(
          new AddFile(
              file.relativePath(),
              file.partitionValues(),
              file.sizeBytes(),
              file.modificationTime(),
              true,
              jsonStringLiteral(file.statsJson()),
              null));
    }
    // A blind append: the transaction reads no files and no app ids, so (ConflictChecker) only
    // a concurrent metadata or protocol change could make it fail, and this writer is the only
    // one that changes metadata.
    log.startTransaction()
        .commit(
            adds, new Operation(Operation.Name.WRITE, Map.of("mode", "\"Append\"")), ENGINE_INFO);
    committedRows.addAll(rows);
    appends.incrementAndGet();
  }

  private void changeTableProperty() {
    OptimisticTransaction transaction = log.startTransaction();
    Metadata current = transaction.metadata();
    Map<String, String> configuration = new HashMap<>(current.getConfiguration());
    configuration.put(CHANGE_NUMBER_PROPERTY, Integer.toString(metadataChanges.get() + 1));
    transaction.commit(
        List.of(current.copyBuilder().configuration(configuration).build()),
        new Operation(Operation.Name.SET_TABLE_PROPERTIES),
        ENGINE_INFO);
    metadataChanges.incrementAndGet();
  }

  /** delta-standalone writes AddFile.stats raw; the protocol wants a JSON string there. */
  private static String jsonStringLiteral(String json) throws JsonProcessingException {
    return JSON.writeValueAsString(json);
  }

  /** Every row of every append that committed. */
  List<DeltaRow> committedRows() {
    return List.copyOf(committedRows);
  }

  int appends() {
    return appends.get();
  }

  int metadataChanges() {
    return metadataChanges.get();
  }

  /**
   * Stops committing and waits for the commit in flight, so that what this writer reports is final.
   *
   * @throws AssertionError when one of its commits failed
   */
  @Override
  public void close() throws InterruptedException {
    committer.shutdown();
    if (!committer.awaitTermination(1, TimeUnit.MINUTES)) {
      throw new AssertionError("The concurrent writer's commit did not finish within a minute");
    }
    files.close();
    if (failure.get() != null) {
      throw new AssertionError("The concurrent writer's commit failed", failure.get());
    }
  }
}
