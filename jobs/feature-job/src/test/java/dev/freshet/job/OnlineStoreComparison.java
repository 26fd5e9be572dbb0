package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.online.FeastRedisLayout;
import dev.freshet.online.OnlineRow;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.util.ListCollector;

/**
 * The online store compared with the offline tables of the same run: what a model reads at serving
 * time must be what training data says was the latest value. The Redis must be the run's own.
 */
final class OnlineStoreComparison {

  private OnlineStoreComparison() {}

  /**
   * Redis holds, for every entity of every online contract, exactly the feature values and event
   * time of the entity's latest offline row, and no hash of anything else.
   */
  static void assertEqualsTheLatestOfflineRows(JobRun run, String redisUri) throws Exception {
    List<OnlineRow> expected = new ArrayList<>();
    OnlineRowMapper mapper = new OnlineRowMapper(JobRun.CONTRACTS);
    for (Contract contract : JobRun.CONTRACTS) {
      if (contract.online().enabled()) {
        Map<String, FeatureRow> latest = new HashMap<>();
        for (FeatureRow row : OfflineTableReader.read(run.deltaPath, contract)) {
          latest.merge(row.entityKey, row, (a, b) -> a.featureTime >= b.featureTime ? a : b);
        }
        assertThat(latest).as("entities of online contract %s", contract.name()).isNotEmpty();
        latest.values().forEach(row -> mapper.flatMap(row, new ListCollector<>(expected)));
      }
    }

    RedisClient client = RedisClient.create(redisUri);
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> redis = connection.sync();
      List<String> mismatches = new ArrayList<>();
      Set<ByteBuffer> hashes = new HashSet<>();
      for (OnlineRow row : expected) {
        hashes.add(ByteBuffer.wrap(row.key));
        byte[][] fields = Arrays.copyOf(row.fields, row.fields.length + 1);
        fields[row.fields.length] = FeastRedisLayout.timestampField(row.featureView);
        List<KeyValue<byte[], byte[]>> stored = redis.hmget(row.key, fields);
        byte[] storedTimestamp = stored.get(row.fields.length).getValueOrElse(null);
        long storedTime =
            storedTimestamp == null ? -1 : FeastRedisLayout.timestampMillis(storedTimestamp);
        if (storedTime != row.eventTimeMillis) {
          mismatches.add(
              describe(row)
                  + ": event time "
                  + storedTime
                  + " online, "
                  + row.eventTimeMillis
                  + " offline");
          continue;
        }
        for (int f = 0; f < row.fields.length; f++) {
          byte[] value = stored.get(f).getValueOrElse(null);
          if (!Arrays.equals(value, row.values[f])) {
            mismatches.add(
                describe(row)
                    + ": field "
                    + HexFormat.of().formatHex(row.fields[f])
                    + " differs from the offline value");
          }
        }
      }
      assertThat(mismatches)
          .as(
              "online values that differ from the latest offline row (%d of %d rows compared),"
                  + " the first 20: %s",
              mismatches.size(),
              expected.size(),
              mismatches.subList(0, Math.min(20, mismatches.size())))
          .isEmpty();
      assertThat(redis.dbsize()).as("hashes in Redis").isEqualTo(hashes.size());
    } finally {
      client.shutdown();
    }
  }

  private static String describe(OnlineRow row) {
    return row.featureView + " " + HexFormat.of().formatHex(row.key);
  }
}
