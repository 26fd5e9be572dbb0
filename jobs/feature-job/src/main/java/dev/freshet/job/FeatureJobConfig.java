package dev.freshet.job;

import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.events.EventStream;
import dev.freshet.online.OnlineSink;
import dev.freshet.online.OnlineWriteListener;
import dev.freshet.online.RedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the feature job reads and writes, and how it treats time. Built with {@link #builder()}.
 */
public final class FeatureJobConfig {

  /**
   * How long a source split goes without records before it stops holding the watermark back. A
   * split that cannot deliver for longer (the broker is down, or its records wait behind other
   * splits' backlog after a restore) counts as idle although records are waiting in it, and once it
   * delivers again its events may be late (docs/reliability.md). A minute, as in Flink's own
   * example, rides out broker restarts and restores; the price is that a partition that falls quiet
   * holds the watermark back for up to a minute before it counts as idle.
   */
  public static final Duration DEFAULT_IDLENESS = Duration.ofMinutes(1);

  private final KafkaConnection kafka;
  private final String behaviourTopic;
  private final String fileTopic;
  private final String deadLetterTopic;
  private final String consumerGroup;
  private final String deltaBasePath;
  private final String deltaAppId;
  private final RedisConnection redis;
  private final Duration maxOutOfOrderness;
  private final Duration idleness;
  private final Duration maxEventTimeAhead;
  private final Duration dedupWindow;
  private final Duration renameTimeout;
  private final Duration redisOutageTolerance;
  private final Duration fileStateTtl;
  private final boolean boundedInput;
  private final boolean offlineSink;
  private final boolean stateTtl;
  private final DeltaCommitListener deltaCommitListener;
  private final OnlineWriteListener onlineWriteListener;
  private final Map<String, String> hadoopConfiguration;

  private FeatureJobConfig(Builder builder) {
    this.kafka = builder.kafka;
    this.behaviourTopic = builder.behaviourTopic;
    this.fileTopic = builder.fileTopic;
    this.deadLetterTopic = builder.deadLetterTopic;
    this.consumerGroup = builder.consumerGroup;
    this.deltaBasePath = builder.deltaBasePath;
    this.deltaAppId = builder.deltaAppId;
    this.redis = builder.redis;
    this.maxOutOfOrderness = builder.maxOutOfOrderness;
    this.idleness = builder.idleness;
    this.maxEventTimeAhead = builder.maxEventTimeAhead;
    this.dedupWindow = builder.dedupWindow;
    this.renameTimeout = builder.renameTimeout;
    this.redisOutageTolerance = builder.redisOutageTolerance;
    this.fileStateTtl = builder.fileStateTtl;
    this.boundedInput = builder.boundedInput;
    this.offlineSink = builder.offlineSink;
    this.stateTtl = builder.stateTtl;
    this.deltaCommitListener = builder.deltaCommitListener;
    this.onlineWriteListener = builder.onlineWriteListener;
    this.hadoopConfiguration = Map.copyOf(builder.hadoopConfiguration);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The brokers, and how the sources and the dead-letter sink authenticate to them. */
  public KafkaConnection kafka() {
    return kafka;
  }

  public String topic(EventStream stream) {
    return stream == EventStream.BEHAVIOUR ? behaviourTopic : fileTopic;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  public String consumerGroup() {
    return consumerGroup;
  }

  public String deltaBasePath() {
    return deltaBasePath;
  }

  public String deltaAppId() {
    return deltaAppId;
  }

  /**
   * The online store of contracts with {@code online.enabled}; null runs the job without one (their
   * features then reach Delta only).
   */
  /** The online store, or null for none. */
  public RedisConnection redis() {
    return redis;
  }

  public Duration maxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  public Duration idleness() {
    return idleness;
  }

  /** How far ahead of the job's clock an event time may be before the event is a dead letter. */
  public Duration maxEventTimeAhead() {
    return maxEventTimeAhead;
  }

  /** How far apart an inotify and a poll report of one change may be. */
  public Duration dedupWindow() {
    return dedupWindow;
  }

  /** How long a rename half waits for its partner before it counts as a remove or a create. */
  /** How long the online sink holds a row through a Redis outage before it fails the job. */
  public Duration redisOutageTolerance() {
    return redisOutageTolerance;
  }

  public Duration renameTimeout() {
    return renameTimeout;
  }

  /**
   * How long, in event time, the normalizer remembers a file's last content without news of it; a
   * write after that is a content change even when nothing changed.
   */
  public Duration fileStateTtl() {
    return fileStateTtl;
  }

  /**
   * Whether the sources stop at the offsets that are latest when the job starts (backfills,
   * replays, tests).
   */
  public boolean boundedInput() {
    return boundedInput;
  }

  /** Whether feature rows go to the Delta tables; without, they are discarded. */
  public boolean offlineSink() {
    return offlineSink;
  }

  /** Whether the contracts' state_ttl and the normalizer's file state TTL apply. */
  public boolean stateTtl() {
    return stateTtl;
  }

  public DeltaCommitListener deltaCommitListener() {
    return deltaCommitListener;
  }

  public OnlineWriteListener onlineWriteListener() {
    return onlineWriteListener;
  }

  /** Hadoop settings of the Delta tables' file system, e.g. fs.s3a.endpoint. */
  public Map<String, String> hadoopConfiguration() {
    return hadoopConfiguration;
  }

  /**
   * Settings with the defaults of a local run; bootstrap servers and the Delta path are required.
   */
  public static final class Builder {
    private KafkaConnection kafka;
    private String behaviourTopic = EventStream.BEHAVIOUR.defaultTopic();
    private String fileTopic = EventStream.FILE.defaultTopic();
    private String deadLetterTopic = "freshet-dead-letters";
    private String consumerGroup = "freshet-feature-job";
    private String deltaBasePath;
    private String deltaAppId = "freshet-feature-job";
    private RedisConnection redis;
    private Duration maxOutOfOrderness = Duration.ofSeconds(1);
    private Duration idleness = DEFAULT_IDLENESS;
    private Duration maxEventTimeAhead = Duration.ofMinutes(1);
    private Duration dedupWindow = Duration.ofMillis(200);
    private Duration renameTimeout = Duration.ofSeconds(1);
    private Duration redisOutageTolerance = OnlineSink.DEFAULT_OUTAGE_TOLERANCE;
    private Duration fileStateTtl = Duration.ofHours(1);
    private boolean boundedInput;
    private boolean offlineSink = true;
    private boolean stateTtl = true;
    private DeltaCommitListener deltaCommitListener = DeltaCommitListener.NONE;
    private OnlineWriteListener onlineWriteListener = OnlineWriteListener.NONE;
    private Map<String, String> hadoopConfiguration = Map.of();

    /** Brokers that take plain text without authentication; see {@link #kafka} for others. */
    public Builder bootstrapServers(String bootstrapServers) {
      return kafka(KafkaConnection.plaintext(bootstrapServers));
    }

    /** The brokers with the security protocol and credentials of the job's Kafka clients. */
    public Builder kafka(KafkaConnection kafka) {
      this.kafka = Objects.requireNonNull(kafka, "kafka");
      return this;
    }

    public Builder behaviourTopic(String behaviourTopic) {
      this.behaviourTopic = behaviourTopic;
      return this;
    }

    public Builder fileTopic(String fileTopic) {
      this.fileTopic = fileTopic;
      return this;
    }

    public Builder deadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = deadLetterTopic;
      return this;
    }

    public Builder consumerGroup(String consumerGroup) {
      this.consumerGroup = consumerGroup;
      return this;
    }

    /** Directory (or Hadoop URI) under which each contract's offline table lives. */
    public Builder deltaBasePath(String deltaBasePath) {
      this.deltaBasePath = deltaBasePath;
      return this;
    }

    /** Identifies this job in the Delta tables' transaction ids; keep it across upgrades. */
    public Builder deltaAppId(String deltaAppId) {
      this.deltaAppId = deltaAppId;
      return this;
    }

    /** e.g. {@code redis://127.0.0.1:6379}; null (the default) for no online store. */
    public Builder redisUri(String redisUri) {
      return redis(redisUri == null ? null : RedisConnection.of(redisUri));
    }

    /** The online store with its credentials and TLS settings; null (the default) for none. */
    public Builder redis(RedisConnection redis) {
      this.redis = redis;
      return this;
    }

    public Builder maxOutOfOrderness(Duration maxOutOfOrderness) {
      this.maxOutOfOrderness = maxOutOfOrderness;
      return this;
    }

    public Builder idleness(Duration idleness) {
      this.idleness = idleness;
      return this;
    }

    /**
     * An event whose time is further ahead of the job's clock than this goes to the dead-letter
     * topic: admitted, it would move the watermark ahead and make every later event late until the
     * clock caught up. Set it to the worst clock skew of the producers.
     */
    public Builder maxEventTimeAhead(Duration maxEventTimeAhead) {
      this.maxEventTimeAhead = maxEventTimeAhead;
      return this;
    }

    public Builder dedupWindow(Duration dedupWindow) {
      this.dedupWindow = dedupWindow;
      return this;
    }

    /**
     * How long the online sink holds an unacknowledged row while Redis is away (backpressuring the
     * job) before it fails the job; below the checkpoint timeout, which waits for it.
     */
    public Builder redisOutageTolerance(Duration redisOutageTolerance) {
      this.redisOutageTolerance = redisOutageTolerance;
      return this;
    }

    public Builder renameTimeout(Duration renameTimeout) {
      this.renameTimeout = renameTimeout;
      return this;
    }

    public Builder fileStateTtl(Duration fileStateTtl) {
      this.fileStateTtl = fileStateTtl;
      return this;
    }

    public Builder boundedInput(boolean boundedInput) {
      this.boundedInput = boundedInput;
      return this;
    }

    /**
     * False discards feature rows instead of writing them to Delta: what the benchmarks measure the
     * sink's cost against, never for production (nothing is kept).
     */
    public Builder offlineSink(boolean offlineSink) {
      this.offlineSink = offlineSink;
      return this;
    }

    /**
     * False keeps state without a TTL: what the benchmarks measure the TTL's cost against, never
     * for production (an entity's last values and a file's last content would then live forever).
     */
    public Builder stateTtl(boolean stateTtl) {
      this.stateTtl = stateTtl;
      return this;
    }

    /** Told before and after every Delta commit: for metrics, and for failure-injection tests. */
    public Builder deltaCommitListener(DeltaCommitListener deltaCommitListener) {
      this.deltaCommitListener = deltaCommitListener;
      return this;
    }

    /**
     * Told of every row Redis acknowledged, after the job's own freshness metrics: for benchmarks
     * that measure latency row by row.
     */
    public Builder onlineWriteListener(OnlineWriteListener onlineWriteListener) {
      this.onlineWriteListener = Objects.requireNonNull(onlineWriteListener, "onlineWriteListener");
      return this;
    }

    public Builder hadoopConfiguration(Map<String, String> hadoopConfiguration) {
      this.hadoopConfiguration = Objects.requireNonNull(hadoopConfiguration, "hadoopConfiguration");
      return this;
    }

    public FeatureJobConfig build() {
      Objects.requireNonNull(kafka, "bootstrapServers (or kafka) is required");
      Objects.requireNonNull(deltaBasePath, "deltaBasePath is required");
      if (maxEventTimeAhead.isNegative()) {
        throw new IllegalArgumentException(
            "maxEventTimeAhead must be >= 0, got " + maxEventTimeAhead);
      }
      if (maxOutOfOrderness.isNegative() || idleness.isNegative() || idleness.isZero()) {
        throw new IllegalArgumentException(
            "maxOutOfOrderness must be >= 0 and idleness > 0, got "
                + maxOutOfOrderness
                + " and "
                + idleness);
      }
      if (dedupWindow.isNegative()
          || renameTimeout.compareTo(dedupWindow) < 0
          || fileStateTtl.isNegative()
          || fileStateTtl.isZero()) {
        throw new IllegalArgumentException(
            "need 0 <= dedupWindow <= renameTimeout and fileStateTtl > 0, got "
                + dedupWindow
                + ", "
                + renameTimeout
                + " and "
                + fileStateTtl);
      }
      return new FeatureJobConfig(this);
    }
  }
}
