package dev.freshet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.localstack.RedisServerProcess;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

class TlsRedisTestServerITCase {

  @Test
  void lettuceTrustingTheCaAndGivingThePasswordStoresValues() {
    RedisServerProcess redis = TlsRedisTestServer.shared();
    RedisURI uri = RedisURI.create(redis.uri());
    uri.setAuthentication(redis.password());
    RedisClient client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .sslOptions(
                SslOptions.builder().trustManager(redis.caCertificateFile().toFile()).build())
            .build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("tls-test-support", "value");

      assertThat(connection.sync().get("tls-test-support")).isEqualTo("value");
    } finally {
      client.shutdown();
    }
    assertThat(redis.uri()).startsWith("rediss://127.0.0.1:");
  }

  @Test
  void everyCallGetsTheSameServer() {
    assertThat(TlsRedisTestServer.shared()).isSameAs(TlsRedisTestServer.shared());
  }
}
