package dev.freshet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealRedisExtension.class)
class RealRedisExtensionITCase {

  @Test
  void serverStoresValuesUntilFlushed(RedisTestServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().hset("entity", "field", "value");
      assertThat(connection.sync().hget("entity", "field")).isEqualTo("value");

      redis.flushAll();

      assertThat(connection.sync().exists("entity")).isZero();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void everyTestClassGetsTheSameServer(RedisTestServer redis) {
    assertThat(RedisTestServer.shared()).isSameAs(redis);
  }
}
