package dev.freshet.job;

/**
 * One event as one contract sees it: the entity it is about and, per feature, the value it adds
 * (NaN when the feature's filter rejects the event or the event lacks the feature's field), or for
 * distinct_count and top_k the item it adds, as text. A Flink POJO.
 */
public class FeatureInput {

  /** Separates the contract from the entity key in the keyBy key; never part of a contract name. */
  static final char KEY_SEPARATOR = '|';

  public String contract;
  public String entityKey;
  public long eventTime;
  public double[] inputs;

  /** Per feature the item of distinct_count and top_k, null for none; null for no such feature. */
  public String[] items;

  public FeatureInput() {}

  public FeatureInput(
      String contract, String entityKey, long eventTime, double[] inputs, String[] items) {
    this.contract = contract;
    this.entityKey = entityKey;
    this.eventTime = eventTime;
    this.inputs = inputs;
    this.items = items;
  }

  /** The key of the aggregation: one entity of one contract. */
  public String key() {
    return contract + KEY_SEPARATOR + entityKey;
  }

  static String contractOf(String key) {
    return key.substring(0, key.indexOf(KEY_SEPARATOR));
  }

  static String entityOf(String key) {
    return key.substring(key.indexOf(KEY_SEPARATOR) + 1);
  }

  @Override
  public String toString() {
    return "FeatureInput{" + key() + " @" + eventTime + "}";
  }
}
