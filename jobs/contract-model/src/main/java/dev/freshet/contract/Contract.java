package dev.freshet.contract;

import dev.freshet.events.EventStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated feature contract: which events, keyed by which entity, aggregated into which
 * features, kept how long, due how fresh, written where.
 *
 * @param version the contract's version, raised on every breaking change
 * @param sourceFilter a CEL condition on the stream's events; null when every event is relevant
 * @param derived features computed from the others each time a row is written
 * @param stateTtl how long Flink keeps an entity's state after its last update: a memory bound, at
 *     least the largest window plus the allowed lateness
 * @param freshnessSla how soon after event time a feature value must be available
 * @param allowedLateness how far behind the watermark an event may be and still count
 * @param emitMinInterval rows of one entity are written at most this often in event time (the
 *     latest values win); zero writes every change
 * @param offlinePartitionColumns the partition columns of the offline table, in order: a prefix of
 *     {@code [event_date, event_hour]}; empty for an unpartitioned table
 * @param file where the contract was loaded from, for messages
 */
public record Contract(
    String name,
    int version,
    String owner,
    String description,
    List<String> tags,
    Lifecycle lifecycle,
    Entity entity,
    EventStream source,
    String sourceFilter,
    List<Feature> features,
    List<DerivedFeature> derived,
    Duration stateTtl,
    Duration freshnessSla,
    Duration allowedLateness,
    Duration emitMinInterval,
    String offlineTable,
    List<String> offlinePartitionColumns,
    OnlineSink online,
    String file)
    implements Serializable {

  public Contract {
    features = List.copyOf(features);
    derived = List.copyOf(derived);
    tags = List.copyOf(tags);
    offlinePartitionColumns = List.copyOf(offlinePartitionColumns);
  }

  /**
   * Identifies this version of the contract in the job, as its state namespace and row key: the
   * name, suffixed {@code _v<version>} from version 2 on, so a new version runs beside the old.
   */
  public String id() {
    return version <= 1 ? name : name + "_v" + version;
  }

  /** The Delta table this version writes: {@code offline.table}, suffixed like {@link #id()}. */
  public String tableName() {
    return version <= 1 ? offlineTable : offlineTable + "_v" + version;
  }

  /** The values of every row, in order: the features, then the derived features. */
  public List<ValueColumn> valueColumns() {
    List<ValueColumn> columns = new ArrayList<>(features.size() + derived.size());
    features.forEach(feature -> columns.add(new ValueColumn(feature.name(), feature.type())));
    derived.forEach(feature -> columns.add(new ValueColumn(feature.name(), feature.type())));
    return columns;
  }

  /**
   * How long the contract's state must keep an event's time slice: the largest window, where a
   * lifetime window counts as its hop (older slices are folded into its running total).
   */
  public long largestWindowMillis() {
    return features.stream().mapToLong(f -> f.window().retentionMillis()).max().orElse(0);
  }
}
