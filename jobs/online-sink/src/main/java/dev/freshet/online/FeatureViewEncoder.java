package dev.freshet.online;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Encodes one feature view's values into {@link OnlineRow}s. The hash field of every feature is
 * computed once, here, not per row.
 */
public final class FeatureViewEncoder implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String project;
  private final String featureView;
  private final List<String> joinKeys;
  private final byte[][] fields;
  private final long expiryMillis;

  /**
   * @param joinKeys the entity's join keys, in the order key values are passed to {@link #encode}
   * @param features the feature names, in the order values are passed to {@link #encode}
   * @param expiry when Redis expires an entity's hash after a write; null for never
   */
  public FeatureViewEncoder(
      String project,
      String featureView,
      List<String> joinKeys,
      List<String> features,
      Duration expiry) {
    this.project = project;
    this.featureView = featureView;
    this.joinKeys = List.copyOf(joinKeys);
    this.fields =
        features.stream()
            .map(feature -> FeastRedisLayout.featureField(featureView, feature))
            .toArray(byte[][]::new);
    this.expiryMillis = expiry == null ? 0 : expiry.toMillis();
  }

  /**
   * @param keyValues one string or long per join key
   * @param featureValues one value per feature: a long, a double, a list of strings, or null
   */
  public OnlineRow encode(List<?> keyValues, long eventTimeMillis, Object[] featureValues) {
    if (featureValues.length != fields.length) {
      throw new IllegalArgumentException(
          featureView + " has " + fields.length + " features, got " + featureValues.length);
    }
    byte[][] values = new byte[fields.length][];
    for (int i = 0; i < fields.length; i++) {
      values[i] = FeastRedisLayout.value(featureValues[i]).toByteArray();
    }
    return new OnlineRow(
        featureView,
        FeastRedisLayout.redisKey(joinKeys, keyValues, project),
        eventTimeMillis,
        fields,
        values,
        expiryMillis);
  }
}
