package dev.freshet.delta.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.delta.DeltaTableSchema;
import io.delta.standalone.CommitResult;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.actions.SetTransaction;
import io.delta.standalone.data.CloseableIterator;
import io.delta.standalone.exceptions.ConcurrentTransactionException;
import io.delta.standalone.exceptions.DeltaConcurrentModificationException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the Delta logs (all committables are routed to one committer subtask): one
 * Delta commit per (checkpoint, table), in ascending checkpoint order, each carrying its AddFiles
 * and a {@code SetTransaction(appId, checkpointId)} so that the table itself records, atomically
 * with the data, which checkpoints are in it.
 *
 * <p>Flink re-delivers committables after a failover, so every commit is idempotent:
 *
 * <ul>
 *   <li>a checkpoint at or below the table's recorded transaction version for the app id is skipped
 *       (Flink commits checkpoints in ascending order, so a lower id can only be one already
 *       committed);
 *   <li>on the first commit to a table after a restore, files whose path is already in the table
 *       are dropped, so the table never references a file twice even if a checkpoint id alone would
 *       not tell;
 *   <li>a {@link ConcurrentTransactionException} (a winner carrying this app id) is resolved by
 *       re-reading the log: when the winner recorded this checkpoint, the commit is already done.
 * </ul>
 *
 * <p>End-of-input committables of older Flink versions carry {@link #END_OF_INPUT} ({@code
 * Long.MAX_VALUE}, Flink's deprecated {@code CommittableMessage.EOI}) instead of a checkpoint id.
 * Recording that would make every later checkpoint of the app id look committed, so they are
 * recorded as the table's last transaction version plus one, and always deduplicated by path since
 * that version proves nothing on replay. (Flink 2.2 itself labels end-of-input committables with
 * the last checkpoint id plus one.)
 *
 * <p>A table that exists with another schema than the sink's evolves the way {@link
 * SchemaEvolution} describes (a restored job whose contract gained or deprecated features keeps its
 * table): an incompatible difference fails the job before anything is committed, and a compatible
 * one that adds columns commits the evolved schema with the first files written after the restore.
 *
 * <p>Two states would make those rules skip or duplicate data, so they fail the job with an
 * explanation instead: a job started without Flink state finding its app id already in a table (its
 * checkpoint ids restart at 1), and a job restored from a checkpoint older than what a table
 * already records for the app id.
 *
 * <p>Any other failure is retried, each attempt re-reading the log first, up to the configured
 * number of attempts; then the commit fails with an {@link IOException}, which fails the job so
 * that it restores and commits again.
 */
public final class DeltaLogCommitter implements Committer<DeltaCommittable> {

  static final String ENGINE_INFO = "freshet-delta-sink/0.1";
  static final long END_OF_INPUT = Long.MAX_VALUE;
  private static final int TABLE_COMMIT_THREADS = 4;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(DeltaLogCommitter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeltaSinkSettings settings;
  private final OptionalLong restoredCheckpointId;
  private final DeltaCommitListener listener;
  private final Map<String, TableCommitMetrics> metricsByTable = new HashMap<>();
  private final Map<String, TableState> tables = new HashMap<>();
  private Configuration hadoopConfiguration;
  private ExecutorService tableCommitters;

  /**
   * Registers the metrics of every table of the sink on the committer's metric group, then opens
   * the sink's commit listener with it.
   *
   * @param restoredCheckpointId the checkpoint the job restored from, empty for a job started
   *     without state
   */
  public DeltaLogCommitter(
      DeltaSinkSettings settings, OptionalLong restoredCheckpointId, MetricGroup metricGroup) {
    this.settings = settings;
    this.restoredCheckpointId = restoredCheckpointId;
    this.listener = settings.commitListener();
    for (String tableName : settings.tablesByName().keySet()) {
      metricsByTable.put(tableName, new TableCommitMetrics(metricGroup, tableName));
    }
    listener.open(metricGroup);
  }

  @Override
  public void commit(Collection<CommitRequest<DeltaCommittable>> requests)
      throws IOException, InterruptedException {
    SortedMap<Long, SortedMap<String, List<CommitRequest<DeltaCommittable>>>> byCheckpoint =
        new TreeMap<>();
    for (CommitRequest<DeltaCommittable> request : requests) {
      DeltaCommittable committable = request.getCommittable();
      if (committable.checkpointId() == DeltaCommittable.NO_CHECKPOINT) {
        throw new IllegalStateException(
            "Committable " + committable + " reached the committer without checkpoint id");
      }
      byCheckpoint
          .computeIfAbsent(committable.checkpointId(), id -> new TreeMap<>())
          .computeIfAbsent(committable.table(), table -> new ArrayList<>())
          .add(request);
    }
    for (Map.Entry<Long, SortedMap<String, List<CommitRequest<DeltaCommittable>>>> checkpoint :
        byCheckpoint.entrySet()) {
      commitCheckpoint(checkpoint.getKey(), checkpoint.getValue());
    }
  }

  /**
   * Commits one checkpoint's files to every table it touches. Tables are independent Delta logs, so
   * their commits run in parallel: one after the other, a dozen tables would take longer than a
   * checkpoint interval and freshness would fall behind. The checkpoint is done when every table
   * is.
   */
  private void commitCheckpoint(
      long checkpointId, SortedMap<String, List<CommitRequest<DeltaCommittable>>> requestsByTable)
      throws IOException, InterruptedException {
    List<Callable<Boolean>> commits = new ArrayList<>();
    for (Map.Entry<String, List<CommitRequest<DeltaCommittable>>> table :
        List.copyOf(requestsByTable.entrySet())) {
      if (!settings.tablesByName().containsKey(table.getKey())) {
        dropFilesOfRemovedTable(table.getKey(), checkpointId, table.getValue());
        requestsByTable.remove(table.getKey());
        continue;
      }
      tableState(table.getKey());
      List<DeltaCommittable> files =
          table.getValue().stream().map(CommitRequest::getCommittable).toList();
      commits.add(() -> commitTable(table.getKey(), checkpointId, files));
    }
    List<Future<Boolean>> outcomes = tableCommitters().invokeAll(commits);
    int index = 0;
    for (List<CommitRequest<DeltaCommittable>> requests : requestsByTable.values()) {
      if (!committed(outcomes.get(index++))) {
        requests.forEach(CommitRequest::signalAlreadyCommitted);
      }
    }
  }

  /**
   * Files of a table the restored job no longer writes can only come from the state it restored:
   * the last checkpoint of a job that still wrote the table (a contract removed by an upgrade).
   * Without the table's schema they cannot be committed; failing would fail every restart, so they
   * stay in storage unreferenced (VACUUM removes them) and the rows are named in the log.
   */
  private static void dropFilesOfRemovedTable(
      String table, long checkpointId, List<CommitRequest<DeltaCommittable>> requests) {
    long rows = requests.stream().mapToLong(r -> r.getCommittable().numRecords()).sum();
    LOG.warn(
        "Not committing {} files ({} rows) of checkpoint {} to Delta table '{}', which this sink no"
            + " longer writes: they were written before the job restored without that table",
        requests.size(),
        rows,
        checkpointId,
        table);
    requests.forEach(CommitRequest::signalAlreadyCommitted);
  }

  private static boolean committed(Future<Boolean> outcome)
      throws IOException, InterruptedException {
    try {
      return outcome.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(cause);
    }
  }

  private ExecutorService tableCommitters() {
    if (tableCommitters == null) {
      // Named after the committer's task thread, so logs and thread dumps say which subtask.
      String owner = Thread.currentThread().getName();
      AtomicInteger threads = new AtomicInteger();
      tableCommitters =
          Executors.newFixedThreadPool(
              TABLE_COMMIT_THREADS,
              task -> {
                Thread thread =
                    new Thread(task, owner + " delta-table-committer-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
    }
    return tableCommitters;
  }

  /** Returns false when the table already holds this checkpoint's files. */
  private boolean commitTable(String tableName, long checkpointId, List<DeltaCommittable> files)
      throws IOException, InterruptedException {
    TableState table = tableState(tableName);
    long firstAttemptStartNanos = System.nanoTime();
    boolean beforeCommitCalled = false;
    Exception lastFailure = null;
    for (int attempt = 1; attempt <= settings.maxCommitAttempts(); attempt++) {
      CommitPlan plan;
      try {
        plan = plan(table, checkpointId, files);
      } catch (SchemaEvolution.IncompatibleSchemaException e) {
        throw e;
      } catch (Exception e) {
        rethrowIfInterrupted(e);
        lastFailure = e;
        LOG.warn("Attempt {} to read Delta table '{}' failed", attempt, tableName, e);
        continue;
      }
      if (plan == null) {
        LOG.info(
            "Checkpoint {} is already in Delta table '{}' for app id '{}'; skipping",
            checkpointId,
            tableName,
            settings.appId());
        return false;
      }
      if (!beforeCommitCalled) {
        listener.beforeCommit(tableName, checkpointId);
        beforeCommitCalled = true;
      }
      CommitResult result;
      try {
        result = plan.transaction.commit(plan.actions, plan.operation, ENGINE_INFO);
      } catch (ConcurrentTransactionException e) {
        // Another commit carrying this app id won the race; the next attempt re-reads the log
        // and skips when that winner already recorded this checkpoint.
        table.metrics.attemptConflicted();
        lastFailure = e;
        LOG.info(
            "Concurrent commit with app id '{}' on Delta table '{}'; re-checking",
            settings.appId(),
            tableName,
            e);
        continue;
      } catch (DeltaConcurrentModificationException e) {
        // Another writer changed the table (its metadata, protocol or files) while this attempt
        // planned; the next attempt plans against that writer's version. The sink should be the
        // table's only writer, hence a warning.
        table.metrics.attemptConflicted();
        lastFailure = e;
        LOG.warn(
            "Attempt {} to commit checkpoint {} to Delta table '{}' conflicted with another"
                + " writer's commit",
            attempt,
            checkpointId,
            tableName,
            e);
        continue;
      } catch (Exception e) {
        rethrowIfInterrupted(e);
        lastFailure = e;
        LOG.warn(
            "Attempt {} to commit checkpoint {} to Delta table '{}' failed",
            attempt,
            checkpointId,
            tableName,
            e);
        continue;
      }
      long committedAtMillis = System.currentTimeMillis();
      table.metrics.committed(
          result.getVersion(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAttemptStartNanos));
      table.pathCheckPending = false;
      LOG.info(
          "Committed checkpoint {} to Delta table '{}' as version {} ({} files, {} rows)",
          checkpointId,
          tableName,
          result.getVersion(),
          plan.fileCount,
          plan.rowCount);
      if (!plan.addedColumns.isEmpty()) {
        LOG.info(
            "Delta table '{}' gained the columns {} with version {}",
            tableName,
            plan.addedColumns,
            result.getVersion());
      }
      listener.afterCommit(
          new DeltaCommit(
              tableName,
              checkpointId,
              result.getVersion(),
              plan.rowCount,
              committedAtMillis,
              plan.rowsByEventTime));
      return true;
    }
    throw new IOException(
        "Could not commit checkpoint "
            + checkpointId
            + " to Delta table '"
            + tableName
            + "' at "
            + settings.tableRoot(tableName)
            + " after "
            + settings.maxCommitAttempts()
            + " attempts; the job fails and commits again, idempotently, after it restores",
        lastFailure);
  }

  /**
   * A cancelled task is interrupted; delta-standalone (Scala) throws the InterruptedException
   * without declaring it. Retrying would commit from a task that is shutting down.
   */
  private static void rethrowIfInterrupted(Exception e) throws InterruptedException {
    if (e instanceof InterruptedException interrupted) {
      throw interrupted;
    }
  }

  /** What to commit, or null when the table already has everything. */
  private CommitPlan plan(TableState table, long checkpointId, List<DeltaCommittable> files) {
    Snapshot snapshot = table.log.update();
    OptimisticTransaction transaction = table.log.startTransaction();
    long committedVersion = transaction.txnVersion(settings.appId());
    boolean endOfInput = checkpointId == END_OF_INPUT;
    if (!endOfInput && committedVersion >= checkpointId) {
      return null;
    }
    List<DeltaCommittable> newFiles =
        table.pathCheckPending || endOfInput ? filesNotIn(snapshot, files) : files;
    if (newFiles.isEmpty()) {
      return null;
    }
    long transactionVersion = endOfInput ? committedVersion + 1 : checkpointId;
    long now = System.currentTimeMillis();

    List<Action> actions = new ArrayList<>(newFiles.size() + 3);
    List<String> addedColumns = List.of();
    if (transaction.readVersion() < 0) {
      actions.add(
          Metadata.builder()
              .id(UUID.randomUUID().toString())
              .name(table.layout.tableName())
              .schema(table.layout.deltaSchema())
              .partitionColumns(table.layout.schema().partitionColumns())
              .createdTime(now)
              .build());
    } else {
      // Derived from the snapshot this transaction reads, not remembered from an earlier attempt:
      // once a commit carrying the new schema has landed (before a failure, or by a concurrent
      // winner), the snapshot already has it and it is not committed twice; until then every
      // attempt, and every replay after a restore, carries it again.
      Metadata current = transaction.metadata();
      SchemaEvolution evolution =
          SchemaEvolution.between(
              current, table.layout, settings.tableRoot(table.layout.tableName()));
      if (evolution.changesSchema()) {
        // PROTOCOL.md, "Change Metadata": "Subsequent metaData actions completely overwrite the
        // current metadata of the table", and "There can be at most one metadata action in a
        // given version of the table". So the action copies everything but the schema (id, name,
        // partition columns, configuration, createdTime), and it goes into the same commit as the
        // first files that have the new columns, so no version shows a schema without the data
        // and the txn that explain it.
        actions.add(current.copyBuilder().schema(evolution.schema()).build());
        addedColumns = evolution.addedColumns();
      }
    }
    long rowCount = 0;
    long byteCount = 0;
    SortedMap<Long, Long> rowsByEventTime = new TreeMap<>();
    for (DeltaCommittable file : newFiles) {
      actions.add(
          new AddFile(
              file.relativePath(),
              file.partitionValues(),
              file.sizeBytes(),
              file.modificationTime(),
              true,
              FileStatistics.asJsonStringLiteral(file.statsJson()),
              null));
      rowCount += file.numRecords();
      byteCount += file.sizeBytes();
      file.rowsByEventTime()
          .forEach((eventTime, rows) -> rowsByEventTime.merge(eventTime, rows, Long::sum));
    }
    actions.add(new SetTransaction(settings.appId(), transactionVersion, Optional.of(now)));

    // Operation parameter values are JSON documents, written into the log as they are.
    Map<String, String> parameters =
        Map.of(
            "outputMode", json("Append"),
            "queryId", json(settings.appId()),
            "epochId", json(Long.toString(transactionVersion)));
    Map<String, String> metrics =
        Map.of(
            Operation.Metrics.numAddedFiles, Integer.toString(newFiles.size()),
            Operation.Metrics.numRemovedFiles, "0",
            Operation.Metrics.numOutputRows, Long.toString(rowCount),
            Operation.Metrics.numOutputBytes, Long.toString(byteCount));
    Operation operation = new Operation(Operation.Name.STREAMING_UPDATE, parameters, metrics);
    return new CommitPlan(
        transaction, actions, operation, newFiles.size(), rowCount, rowsByEventTime, addedColumns);
  }

  private static List<DeltaCommittable> filesNotIn(
      Snapshot snapshot, List<DeltaCommittable> files) {
    Set<String> pending = new HashSet<>();
    files.forEach(file -> pending.add(file.relativePath()));
    Set<String> present = new HashSet<>();
    try (CloseableIterator<AddFile> tableFiles = snapshot.scan().getFiles()) {
      while (tableFiles.hasNext()) {
        String path = tableFiles.next().getPath();
        if (pending.contains(path)) {
          present.add(path);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list the files of the Delta table", e);
    }
    if (!present.isEmpty()) {
      LOG.info("Dropping {} files already in the Delta table: {}", present.size(), present);
    }
    return files.stream().filter(file -> !present.contains(file.relativePath())).toList();
  }

  private TableState tableState(String tableName) {
    TableState table = tables.get(tableName);
    if (table == null) {
      DeltaTableSchema schema = settings.tablesByName().get(tableName);
      if (schema == null) {
        throw new IllegalStateException(
            "Committable for Delta table '"
                + tableName
                + "', which this sink does not write; was the table removed from the sink while"
                + " the job restored state that still held its files?");
      }
      if (hadoopConfiguration == null) {
        hadoopConfiguration = settings.newHadoopConfiguration();
      }
      DeltaLog log = DeltaLog.forTable(hadoopConfiguration, settings.tableRoot(tableName));
      table =
          new TableState(
              new TableLayout(schema),
              log,
              metricsByTable.get(tableName),
              restoredCheckpointId.isPresent());
      verifyTableAndLineage(table);
      tables.put(tableName, table);
    }
    return table;
  }

  private void verifyTableAndLineage(TableState table) {
    String tableName = table.layout.tableName();
    Snapshot snapshot = table.log.update();
    if (snapshot.getVersion() >= 0) {
      // Fails here, before any commit is attempted, when the table cannot take the sink's schema;
      // the evolved schema itself is committed by plan(), with the first files that need it.
      SchemaEvolution evolution =
          SchemaEvolution.between(
              snapshot.getMetadata(), table.layout, settings.tableRoot(tableName));
      if (evolution.changesSchema()) {
        LOG.info(
            "Delta table '{}' gains the sink's new columns {} with its next commit",
            tableName,
            evolution.addedColumns());
      }
      if (!evolution.unwrittenColumns().isEmpty()) {
        LOG.info(
            "Delta table '{}' keeps the columns {} the sink no longer writes; they read null in"
                + " its new files",
            tableName,
            evolution.unwrittenColumns());
      }
    }
    long committedVersion = table.log.startTransaction().txnVersion(settings.appId());
    if (restoredCheckpointId.isEmpty() && committedVersion >= 0) {
      throw new IllegalStateException(
          "Delta table '"
              + tableName
              + "' already records transaction version "
              + committedVersion
              + " for app id '"
              + settings.appId()
              + "', but this job started without Flink state: its checkpoint ids restart at 1, so"
              + " its commits would be skipped as duplicates. Restore the job from its latest"
              + " checkpoint, or give a job started from scratch a new appId.");
    }
    if (restoredCheckpointId.isPresent() && committedVersion > restoredCheckpointId.getAsLong()) {
      throw new IllegalStateException(
          "Delta table '"
              + tableName
              + "' already records checkpoint "
              + committedVersion
              + " for app id '"
              + settings.appId()
              + "', newer than the checkpoint "
              + restoredCheckpointId.getAsLong()
              + " this job restored: it was restored from an older checkpoint or savepoint, and"
              + " its next checkpoints would be skipped as duplicates. Restore the latest"
              + " checkpoint, or use a new appId.");
    }
  }

  private static String json(String value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode " + value + " as JSON", e);
    }
  }

  /**
   * Stops the table commit threads and waits for them. A cancelled commit may still be writing to a
   * table's log (file system writes need not heed an interrupt), and Flink reports the task ended
   * once this returns: nothing may write to the tables after that.
   */
  @Override
  public void close() {
    if (tableCommitters != null) {
      tableCommitters.shutdownNow();
      awaitTermination(tableCommitters, CLOSE_TIMEOUT);
    }
    tables.clear();
  }

  /**
   * Waits through interrupts (Flink interrupts a cancelled task repeatedly), then restores them.
   */
  private static void awaitTermination(ExecutorService executor, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    while (true) {
      try {
        long left = deadline - System.nanoTime();
        if (executor.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS) || left <= 0) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (!executor.isTerminated()) {
      LOG.warn("Delta table commit threads still running after waiting {} to close", timeout);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class TableState {
    final TableLayout layout;
    final DeltaLog log;
    final TableCommitMetrics metrics;
    // After a restore, files of the first commit may already be in the table.
    boolean pathCheckPending;

    TableState(
        TableLayout layout, DeltaLog log, TableCommitMetrics metrics, boolean pathCheckPending) {
      this.layout = layout;
      this.log = log;
      this.metrics = metrics;
      this.pathCheckPending = pathCheckPending;
    }
  }

  private record CommitPlan(
      OptimisticTransaction transaction,
      List<Action> actions,
      Operation operation,
      int fileCount,
      long rowCount,
      SortedMap<Long, Long> rowsByEventTime,
      List<String> addedColumns) {}
}
