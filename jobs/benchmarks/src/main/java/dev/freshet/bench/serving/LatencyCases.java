package dev.freshet.bench.serving;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.freshet.bench.serving.ServingLatency.Case;
import dev.freshet.serving.OnlineFeatureService;
import feast.proto.serving.ServingAPIProto.FeatureList;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesRequest;
import feast.proto.serving.ServingAPIProto.GetOnlineFeaturesResponse;
import feast.proto.types.ValueProto;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cases of {@link ServingLatency}, run one after the other, each request on random entities of
 * the {@link ServedFeatureView}.
 */
final class LatencyCases {

  /** Entities of a batch request, and HGETALLs of a pipelined batch. */
  static final int BATCH = 100;

  private final FeastClient client;
  private final OnlineFeatureService inProcess;
  private final StatefulRedisConnection<byte[], byte[]> raw;
  private final StatefulRedisConnection<byte[], byte[]> pipelined;
  private final byte[][] keys;
  private final SplittableRandom random = new SplittableRandom(42);

  /**
   * @param client Feast's Java client, connected to our server
   * @param inProcess the server's request handling, on the {@code raw} connection
   * @param raw for HGETALLs one at a time
   * @param pipelined for batches of HGETALLs; it never flushes by itself
   * @param keys the Redis key of each entity written
   */
  LatencyCases(
      FeastClient client,
      OnlineFeatureService inProcess,
      StatefulRedisConnection<byte[], byte[]> raw,
      StatefulRedisConnection<byte[], byte[]> pipelined,
      byte[][] keys) {
    this.client = client;
    this.inProcess = inProcess;
    this.raw = raw;
    this.pipelined = pipelined;
    this.keys = keys;
    pipelined.setAutoFlushCommands(false);
  }

  /**
   * Runs every case in {@link Case} order: {@code singles} requests of each one-entity case (and of
   * the gRPC round trip), {@code batches} of each 100-entity case.
   *
   * @return the latencies of each case
   * @throws IllegalStateException when a read finds nothing: the data was not written
   */
  Map<Case, LatencySamples> run(int singles, int batches) {
    Map<Case, LatencySamples> samples = new EnumMap<>(Case.class);
    for (Case measured : Case.values()) {
      samples.put(measured, new LatencySamples(measured.batch() ? batches : singles));
    }

    LatencySamples serverSingle = samples.get(Case.SERVER_1X20);
    for (int i = 0; i < singles; i++) {
      Row entity = Row.create().set(ServedFeatureView.KEY, randomId());
      long start = System.nanoTime();
      List<Row> rows = client.getOnlineFeatures(ServedFeatureView.REFERENCES, List.of(entity));
      record(serverSingle, System.nanoTime() - start, rows.size() == 1);
    }

    LatencySamples rawSingle = samples.get(Case.RAW_HGETALL_1);
    for (int i = 0; i < singles; i++) {
      byte[] key = keys[random.nextInt(keys.length)];
      long start = System.nanoTime();
      Map<byte[], byte[]> hash = raw.sync().hgetall(key);
      // the features and the view's timestamp
      record(
          rawSingle, System.nanoTime() - start, hash.size() == ServedFeatureView.FEATURE_COUNT + 1);
    }

    LatencySamples serverBatch = samples.get(Case.SERVER_100X20);
    for (int i = 0; i < batches; i++) {
      List<Row> entities = new ArrayList<>(BATCH);
      for (int j = 0; j < BATCH; j++) {
        entities.add(Row.create().set(ServedFeatureView.KEY, randomId()));
      }
      long start = System.nanoTime();
      List<Row> rows = client.getOnlineFeatures(ServedFeatureView.REFERENCES, entities);
      record(serverBatch, System.nanoTime() - start, rows.size() == BATCH);
    }

    LatencySamples rawBatch = samples.get(Case.RAW_HGETALL_100_PIPELINED);
    for (int i = 0; i < batches; i++) {
      byte[][] batch = new byte[BATCH][];
      for (int j = 0; j < BATCH; j++) {
        batch[j] = keys[random.nextInt(keys.length)];
      }
      long start = System.nanoTime();
      List<Map<byte[], byte[]>> hashes = hgetallPipelined(batch);
      record(
          rawBatch, System.nanoTime() - start, hashes.stream().allMatch(hash -> !hash.isEmpty()));
    }

    LatencySamples roundTrip = samples.get(Case.GRPC_ROUND_TRIP);
    for (int i = 0; i < singles; i++) {
      long start = System.nanoTime();
      String version = client.getFeastServingInfo().getVersion();
      record(roundTrip, System.nanoTime() - start, !version.isEmpty());
    }

    LatencySamples serviceSingle = samples.get(Case.SERVICE_1X20);
    for (int i = 0; i < singles; i++) {
      GetOnlineFeaturesRequest request = request(1);
      long start = System.nanoTime();
      GetOnlineFeaturesResponse response = inProcess.getOnlineFeatures(request).join();
      record(
          serviceSingle,
          System.nanoTime() - start,
          response.getResultsCount() == ServedFeatureView.FEATURE_COUNT);
    }

    LatencySamples serviceBatch = samples.get(Case.SERVICE_100X20);
    for (int i = 0; i < batches; i++) {
      GetOnlineFeaturesRequest request = request(BATCH);
      long start = System.nanoTime();
      GetOnlineFeaturesResponse response = inProcess.getOnlineFeatures(request).join();
      record(
          serviceBatch,
          System.nanoTime() - start,
          response.getResults(0).getValuesCount() == BATCH);
    }
    return samples;
  }

  private String randomId() {
    return ServedFeatureView.id(random.nextInt(keys.length));
  }

  /** What Feast's client sends for {@code rows} random entities. */
  private GetOnlineFeaturesRequest request(int rows) {
    ValueProto.RepeatedValue.Builder ids = ValueProto.RepeatedValue.newBuilder();
    for (int j = 0; j < rows; j++) {
      ids.addVal(ValueProto.Value.newBuilder().setStringVal(randomId()));
    }
    return GetOnlineFeaturesRequest.newBuilder()
        .setFeatures(FeatureList.newBuilder().addAllVal(ServedFeatureView.REFERENCES))
        .putEntities(ServedFeatureView.KEY, ids.build())
        .build();
  }

  /** One write of all the HGETALLs, then their replies: Redis pipelining. */
  private List<Map<byte[], byte[]>> hgetallPipelined(byte[][] batch) {
    List<RedisFuture<Map<byte[], byte[]>>> futures = new ArrayList<>(batch.length);
    for (byte[] key : batch) {
      futures.add(pipelined.async().hgetall(key));
    }
    pipelined.flushCommands();
    if (!LettuceFutures.awaitAll(Duration.ofSeconds(10), futures.toArray(new RedisFuture<?>[0]))) {
      throw new IllegalStateException("Redis did not answer " + batch.length + " HGETALLs in 10 s");
    }
    List<Map<byte[], byte[]>> hashes = new ArrayList<>(batch.length);
    for (RedisFuture<Map<byte[], byte[]>> future : futures) {
      hashes.add(future.toCompletableFuture().join());
    }
    return hashes;
  }

  /**
   * Java evaluates arguments left to right, so callers' elapsed time is taken before their check of
   * what the read found runs.
   */
  private static void record(LatencySamples samples, long nanos, boolean found) {
    if (!found) {
      throw new IllegalStateException("a read found nothing: the data was not written");
    }
    samples.add(nanos);
  }
}
