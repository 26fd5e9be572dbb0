package dev.freshet.delta.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes {@link DeltaCommittable}s into Flink state. Version 1 layout: table, relative path,
 * partition value count then (name, present flag, value) per partition, size, modification time,
 * record count, stats JSON, checkpoint id. Strings are length-prefixed UTF-8, so none is limited to
 * {@code writeUTF}'s 64 KiB. Version 2 appends the event-time count then (event time, rows) per
 * event time.
 *
 * <p>Checkpoints and savepoints taken before event times were recorded hold version 1, so it stays
 * readable: such a committable restores with no event times.
 */
public final class DeltaCommittableSerializer
    implements SimpleVersionedSerializer<DeltaCommittable> {

  static final int WITHOUT_EVENT_TIMES = 1;
  static final int WITH_EVENT_TIMES = 2;
  private static final int VERSION = WITH_EVENT_TIMES;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(DeltaCommittable committable) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    writeString(out, committable.table());
    writeString(out, committable.relativePath());
    out.writeInt(committable.partitionValues().size());
    for (Map.Entry<String, String> partition : committable.partitionValues().entrySet()) {
      writeString(out, partition.getKey());
      out.writeBoolean(partition.getValue() != null);
      if (partition.getValue() != null) {
        writeString(out, partition.getValue());
      }
    }
    out.writeLong(committable.sizeBytes());
    out.writeLong(committable.modificationTime());
    out.writeLong(committable.numRecords());
    writeString(out, committable.statsJson());
    out.writeLong(committable.checkpointId());
    out.writeInt(committable.rowsByEventTime().size());
    for (Map.Entry<Long, Long> eventTime : committable.rowsByEventTime().entrySet()) {
      out.writeLong(eventTime.getKey());
      out.writeLong(eventTime.getValue());
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public DeltaCommittable deserialize(int version, byte[] serialized) throws IOException {
    if (version != WITHOUT_EVENT_TIMES && version != WITH_EVENT_TIMES) {
      throw new IOException(
          "Cannot read a Delta committable of serializer version "
              + version
              + "; this sink reads versions "
              + WITHOUT_EVENT_TIMES
              + " and "
              + WITH_EVENT_TIMES);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    String table = readString(in);
    String relativePath = readString(in);
    int partitionCount = in.readInt();
    Map<String, String> partitionValues = new LinkedHashMap<>();
    for (int i = 0; i < partitionCount; i++) {
      String column = readString(in);
      partitionValues.put(column, in.readBoolean() ? readString(in) : null);
    }
    long sizeBytes = in.readLong();
    long modificationTime = in.readLong();
    long numRecords = in.readLong();
    String statsJson = readString(in);
    long checkpointId = in.readLong();
    SortedMap<Long, Long> rowsByEventTime = new TreeMap<>();
    if (version == WITH_EVENT_TIMES) {
      int eventTimeCount = in.readInt();
      for (int i = 0; i < eventTimeCount; i++) {
        long eventTime = in.readLong();
        rowsByEventTime.put(eventTime, in.readLong());
      }
    }
    return new DeltaCommittable(
        table,
        relativePath,
        partitionValues,
        sizeBytes,
        modificationTime,
        numRecords,
        statsJson,
        checkpointId,
        rowsByEventTime);
  }

  private static void writeString(DataOutputSerializer out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputDeserializer in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
