package dev.freshet.bench.serving;

import dev.feast.FeastClient;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Ratio;
import dev.freshet.localstack.RedisServerProcess;
import dev.freshet.serving.FeatureServer;
import dev.freshet.serving.OnlineFeatureService;
import dev.freshet.serving.ServingRegistry;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Latency of the feature server against raw Redis reads of the same data, in one run.
 *
 * <p>Starts a redis-server process and our {@link FeatureServer} on loopback, writes the entities
 * of a 20-feature view in Feast's layout, warms up, then measures every {@link Case} in turn, round
 * after round, so that background load hits every case alike: Feast's Java client {@code
 * getOnlineFeatures} for 1 entity × 20 features and for 100 entities × 20 features, beside
 * Lettuce's {@code HGETALL} of one key and 100 {@code HGETALL}s pipelined, which read the same
 * hashes (20 features and the timestamp) with no server in between. A fifth case, Feast's client
 * calling {@code GetFeastServingInfo}, which touches no Redis, shows what the client and one gRPC
 * round trip cost by themselves; the last two, the server's request handling called in-process on
 * the raw connection, what it costs without them.
 *
 * <p>Each round is one run of every figure: the p50, p99 and p99.9 of that round's requests, in
 * {@value #UNIT}. The harness thus reports median, min and max over rounds, and pairs rounds in
 * ratios ({@link Result#serverOverRaw()}). The targets of issue 5 are judged on these figures: p99
 * ≤ 1 ms for 1 entity × 20 features ({@link Case#SERVER_1X20}, {@link #P99}), and the server adding
 * at most 2× the raw {@code HGETALL} time.
 */
public final class ServingLatency {

  /** The scenario name of every case starts with this. */
  public static final String SCENARIO_PREFIX = "serving-";

  /** Metric of the median request of a round. */
  public static final String P50 = "p50 latency";

  /** Metric of the 99th percentile of a round's requests. */
  public static final String P99 = "p99 latency";

  /** Metric of the 99.9th percentile of a round's requests. */
  public static final String P99_9 = "p99.9 latency";

  public static final String UNIT = "ms";

  /** What is measured, in the order each round runs them. */
  public enum Case {
    /** What a model pays for one entity's features, issue 5's p99 target. */
    SERVER_1X20(
        "server-1x20",
        false,
        "Feast's Java client getOnlineFeatures through our feature server, 1 entity × 20"
            + " features"),
    /** The same hash read with no server in between: the floor under {@link #SERVER_1X20}. */
    RAW_HGETALL_1(
        "raw-hgetall-1",
        false,
        "Lettuce HGETALL of one entity's hash (20 features and the timestamp), no server"),
    /** A batch amortizes the client's and gRPC's cost over 100 entities. */
    SERVER_100X20(
        "server-100x20",
        true,
        "Feast's Java client getOnlineFeatures through our feature server, 100 entities × 20"
            + " features"),
    /** The floor under {@link #SERVER_100X20}. */
    RAW_HGETALL_100_PIPELINED(
        "raw-hgetall-100-pipelined",
        true,
        "Lettuce, 100 HGETALLs of the same hashes in one pipelined write, no server"),
    /** What Feast's client and one gRPC round trip cost by themselves: it touches no Redis. */
    GRPC_ROUND_TRIP(
        "grpc-round-trip",
        false,
        "Feast's Java client GetFeastServingInfo through our feature server, which reads no"
            + " Redis"),
    /** What the server's own work costs for one entity, without client and gRPC. */
    SERVICE_1X20(
        "service-1x20-in-process",
        false,
        "the server's request handling called in-process (no client, no gRPC), 1 entity × 20"
            + " features"),
    /** What the server's own work costs for 100 entities, without client and gRPC. */
    SERVICE_100X20(
        "service-100x20-in-process",
        true,
        "the server's request handling called in-process (no client, no gRPC), 100 entities × 20"
            + " features");

    private final String scenario;
    private final boolean batch;
    private final String description;

    Case(String name, boolean batch, String description) {
      this.scenario = SCENARIO_PREFIX + name;
      this.batch = batch;
      this.description = description;
    }

    /** The scenario of this case's figures, e.g. {@code serving-server-1x20}. */
    public String scenario() {
      return scenario;
    }

    /** Whether a request reads 100 entities; else one (or none, for the gRPC round trip). */
    public boolean batch() {
      return batch;
    }

    /** What one request does, for the results' notes. */
    public String description() {
      return description;
    }
  }

  /**
   * How much to measure.
   *
   * @param entities entities written; every request reads random ones
   * @param rounds rounds of all cases; each is one run of every figure
   * @param singlesPerRound requests per round of each case that is not a {@link Case#batch()}
   * @param batchesPerRound requests per round of each batch case
   * @param warmUpSingles like {@code singlesPerRound}, once before the first round, not counted
   * @param warmUpBatches like {@code batchesPerRound}, once before the first round, not counted
   */
  public record Settings(
      int entities,
      int rounds,
      int singlesPerRound,
      int batchesPerRound,
      int warmUpSingles,
      int warmUpBatches) {

    /**
     * 10,000 entities, 10 rounds of 2,000 single and 200 batch requests per case, after a warm-up
     * of 10,000 and 1,000: about half a minute on 2 cores.
     */
    public static final Settings DEFAULT = new Settings(10_000, 10, 2_000, 200, 10_000, 1_000);

    public Settings {
      if (entities < 1 || rounds < 1 || singlesPerRound < 1 || batchesPerRound < 1) {
        throw new IllegalArgumentException(
            "entities, rounds and requests per round must be at least 1: " + this);
      }
      if (warmUpSingles < 0 || warmUpBatches < 0) {
        throw new IllegalArgumentException("warm-up requests cannot be negative: " + this);
      }
    }

    /** {@link #DEFAULT}'s requests per round and warm-up, for these entities and rounds. */
    public static Settings of(int entities, int rounds) {
      return new Settings(
          entities,
          rounds,
          DEFAULT.singlesPerRound,
          DEFAULT.batchesPerRound,
          DEFAULT.warmUpSingles,
          DEFAULT.warmUpBatches);
    }
  }

  /**
   * The figures of one case, one run per round.
   *
   * @param p50 metric {@link #P50}
   * @param p99 metric {@link #P99}
   * @param p999 metric {@link #P99_9}
   */
  public record Latencies(Figure p50, Figure p99, Figure p999) {

    /** In the order the harness lists them. */
    public List<Figure> figures() {
      return List.of(p50, p99, p999);
    }
  }

  /**
   * What one measurement found.
   *
   * @param byCase the figures of every case, in {@link Case} order
   */
  public record Result(Map<Case, Latencies> byCase) {

    public Result {
      if (!byCase.keySet().containsAll(List.of(Case.values()))) {
        throw new IllegalArgumentException("a result needs every case, got " + byCase.keySet());
      }
      byCase = Collections.unmodifiableMap(new EnumMap<>(byCase));
    }

    public Latencies of(Case measured) {
      return byCase.get(measured);
    }

    /** Every figure: each case's p50, p99 and p99.9, in {@link Case} order. */
    public List<Figure> figures() {
      return byCase.values().stream().flatMap(latencies -> latencies.figures().stream()).toList();
    }

    /**
     * Our server ÷ raw Redis, round by round, at p50, p99 and p99.9: first 1 entity × 20 features
     * over one {@code HGETALL}, then 100 entities over 100 pipelined {@code HGETALL}s. Issue 5's
     * "the server adds at most 2× the raw HGETALL time" is (server − raw) ÷ raw ≤ 2 at p50 and p99,
     * that is these ratios at most 3.
     */
    public List<Ratio> serverOverRaw() {
      List<Ratio> ratios = new ArrayList<>();
      addServerOverRaw(
          ratios,
          "GetOnlineFeatures ÷ HGETALL, 1 entity × 20 features",
          of(Case.SERVER_1X20),
          of(Case.RAW_HGETALL_1));
      addServerOverRaw(
          ratios,
          "GetOnlineFeatures ÷ 100 pipelined HGETALLs, 100 entities × 20 features",
          of(Case.SERVER_100X20),
          of(Case.RAW_HGETALL_100_PIPELINED));
      return ratios;
    }

    private static void addServerOverRaw(
        List<Ratio> ratios, String name, Latencies server, Latencies raw) {
      ratios.add(Ratio.of(name + ", p50", server.p50(), raw.p50()));
      ratios.add(Ratio.of(name + ", p99", server.p99(), raw.p99()));
      ratios.add(Ratio.of(name + ", p99.9", server.p999(), raw.p999()));
    }
  }

  private ServingLatency() {}

  /** {@link Settings#of}: the default requests per round, for these entities and rounds. */
  public static Result measure(int entities, int rounds, Path workDirectory, PrintWriter progress)
      throws Exception {
    return measure(Settings.of(entities, rounds), workDirectory, progress);
  }

  /**
   * Measures every case; writes a line per round to {@code progress}.
   *
   * @param workDirectory for redis-server's files; the caller removes it
   * @throws IllegalStateException when redis-server cannot start, or a read finds nothing
   */
  public static Result measure(Settings settings, Path workDirectory, PrintWriter progress)
      throws Exception {
    try (RedisServerProcess redisServer = RedisServerProcess.start(workDirectory)) {
      RedisClient redisClient = RedisClient.create(redisServer.uri());
      try (StatefulRedisConnection<byte[], byte[]> raw =
              redisClient.connect(ByteArrayCodec.INSTANCE);
          StatefulRedisConnection<byte[], byte[]> pipelined =
              redisClient.connect(ByteArrayCodec.INSTANCE);
          FeatureServer server =
              FeatureServer.builder()
                  .registry(ServedFeatureView.registry())
                  .redisUri(redisServer.uri())
                  .project(ServedFeatureView.PROJECT)
                  .port(0)
                  .build()
                  .start();
          FeastClient client = FeastClient.create("127.0.0.1", server.port())) {
        byte[][] keys = ServedFeatureView.write(raw, settings.entities());
        progress.printf(
            "serving: redis-server %s, feature server on 127.0.0.1:%d, %,d entities × %d"
                + " features; warming up%n",
            redisServer.uri(), server.port(), settings.entities(), ServedFeatureView.FEATURE_COUNT);
        progress.flush();

        OnlineFeatureService inProcess =
            new OnlineFeatureService(
                ServingRegistry.of(ServedFeatureView.registry()),
                ServedFeatureView.PROJECT,
                raw,
                InstantSource.system());
        LatencyCases cases = new LatencyCases(client, inProcess, raw, pipelined, keys);
        cases.run(settings.warmUpSingles(), settings.warmUpBatches());

        List<Map<Case, LatencySamples>> rounds = new ArrayList<>();
        for (int round = 0; round < settings.rounds(); round++) {
          long start = System.nanoTime();
          Map<Case, LatencySamples> samples =
              cases.run(settings.singlesPerRound(), settings.batchesPerRound());
          rounds.add(samples);
          reportRound(progress, round, settings.rounds(), samples, System.nanoTime() - start);
        }
        return result(rounds);
      } finally {
        redisClient.shutdown();
      }
    }
  }

  private static void reportRound(
      PrintWriter progress, int round, int rounds, Map<Case, LatencySamples> samples, long nanos) {
    progress.printf(
        "  serving round %d/%d: p99 1×20 %.3f ms (HGETALL %.3f), 100×20 %.3f ms (pipelined %.3f),"
            + " gRPC alone %.3f ms  %5.1f s%n",
        round + 1,
        rounds,
        samples.get(Case.SERVER_1X20).percentileMillis(99),
        samples.get(Case.RAW_HGETALL_1).percentileMillis(99),
        samples.get(Case.SERVER_100X20).percentileMillis(99),
        samples.get(Case.RAW_HGETALL_100_PIPELINED).percentileMillis(99),
        samples.get(Case.GRPC_ROUND_TRIP).percentileMillis(99),
        nanos / 1e9);
    progress.flush();
  }

  private static Result result(List<Map<Case, LatencySamples>> rounds) {
    Map<Case, Latencies> byCase = new EnumMap<>(Case.class);
    for (Case measured : Case.values()) {
      List<LatencySamples> perRound = rounds.stream().map(round -> round.get(measured)).toList();
      byCase.put(
          measured,
          new Latencies(
              figure(measured, P50, perRound, 50),
              figure(measured, P99, perRound, 99),
              figure(measured, P99_9, perRound, 99.9)));
    }
    return new Result(byCase);
  }

  private static Figure figure(
      Case measured, String metric, List<LatencySamples> perRound, double percent) {
    return new Figure(
        measured.scenario(),
        metric,
        UNIT,
        perRound.stream().map(samples -> samples.percentileMillis(percent)).toList());
  }
}
