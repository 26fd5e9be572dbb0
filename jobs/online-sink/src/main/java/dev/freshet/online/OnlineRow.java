package dev.freshet.online;

/**
 * One entity's latest values of one feature view, already in Feast's bytes: what the online sink
 * writes into the entity's Redis hash, unless the hash holds values of a newer event time. A Flink
 * POJO; build it with {@link FeatureViewEncoder}.
 */
public class OnlineRow {

  public String featureView;

  /** The Redis key: serialized entity key and project ({@link FeastRedisLayout#redisKey}). */
  public byte[] key;

  /** The event time of these values; stored in the feature view's timestamp field. */
  public long eventTimeMillis;

  /** Per feature its hash field ({@link FeastRedisLayout#featureField}). */
  public byte[][] fields;

  /** Per feature its serialized {@code feast.types.Value}, in the order of {@link #fields}. */
  public byte[][] values;

  /** When Redis expires the whole hash after this write; 0 for never. */
  public long expiryMillis;

  public OnlineRow() {}

  public OnlineRow(
      String featureView,
      byte[] key,
      long eventTimeMillis,
      byte[][] fields,
      byte[][] values,
      long expiryMillis) {
    this.featureView = featureView;
    this.key = key;
    this.eventTimeMillis = eventTimeMillis;
    this.fields = fields;
    this.values = values;
    this.expiryMillis = expiryMillis;
  }
}
