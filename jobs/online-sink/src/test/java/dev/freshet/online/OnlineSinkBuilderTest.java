package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class OnlineSinkBuilderTest {

  @Test
  void defaultsApplyWhenOnlyTheUriIsSet() {
    OnlineSink sink = OnlineSink.builder().redisUri("redis://127.0.0.1:6379").build();

    assertThat(sink.redis()).hasToString("redis://127.0.0.1:6379");
    assertThat(sink.maxInFlight()).isEqualTo(OnlineSink.DEFAULT_MAX_IN_FLIGHT);
    assertThat(sink.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(sink.outageTolerance()).isEqualTo(Duration.ofMinutes(2));
    assertThat(sink.writeListener()).isSameAs(OnlineWriteListener.NONE);
  }

  @Test
  void optionsAreKeptAndTheSinkSurvivesJavaSerialization() throws Exception {
    OnlineSink sink =
        OnlineSink.builder()
            .redis(
                RedisConnection.builder()
                    .uri("rediss://redis.internal:6380/2")
                    .passwordFile(Path.of("/etc/redis/password"))
                    .caCertificateFile(Path.of("/etc/redis/ca.pem"))
                    .build())
            .maxInFlight(16)
            .connectTimeout(Duration.ofSeconds(3))
            .outageTolerance(Duration.ofSeconds(45))
            .writeListener(new CountingWriteListener())
            .build();

    OnlineSink copy =
        InstantiationUtil.deserializeObject(
            InstantiationUtil.serializeObject(sink), getClass().getClassLoader());

    assertThat(copy.redis())
        .hasToString(
            "rediss://redis.internal:6380/2 (password from file /etc/redis/password, CA"
                + " certificates from /etc/redis/ca.pem)");
    assertThat(copy.maxInFlight()).isEqualTo(16);
    assertThat(copy.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(copy.outageTolerance()).isEqualTo(Duration.ofSeconds(45));
    assertThat(copy.writeListener()).isInstanceOf(CountingWriteListener.class);
  }

  @Test
  void noListenerIsStillTheSameInstanceAfterJavaSerialization() throws Exception {
    OnlineSink sink = OnlineSink.builder().redisUri("redis://127.0.0.1:6379").build();

    OnlineSink copy =
        InstantiationUtil.deserializeObject(
            InstantiationUtil.serializeObject(sink), getClass().getClassLoader());

    assertThat(copy.writeListener()).isSameAs(OnlineWriteListener.NONE);
  }

  @Test
  void buildWithoutAUriNamesTheMissingOption() {
    assertThatThrownBy(() -> OnlineSink.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Redis is not set; call redis(RedisConnection) or redisUri(\"redis://host:6379\") before"
                + " build()");
  }

  @Test
  void uriWithAnotherSchemeIsRefusedWhereItIsSet() {
    assertThatThrownBy(() -> OnlineSink.builder().redisUri("http://127.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'http://127.0.0.1:6379' is not a Redis URI; use e.g. redis://host:6379 or"
                + " rediss://host:6380 for TLS");
  }

  @Test
  void maxInFlightBelowOneIsRefused() {
    assertThatThrownBy(() -> OnlineSink.builder().maxInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight is 0; it must be at least 1");
  }

  @Test
  void nullListenerIsRefusedWithTheWayToHaveNone() {
    assertThatThrownBy(() -> OnlineSink.builder().writeListener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("writeListener is null; leave it unset or use OnlineWriteListener.NONE");
  }

  @Test
  void connectTimeoutMustBePositive() {
    assertThatThrownBy(() -> OnlineSink.builder().connectTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout is PT0S; it must be positive");
  }

  @Test
  void outageToleranceMustBePositive() {
    assertThatThrownBy(() -> OnlineSink.builder().outageTolerance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outageTolerance is PT-1S; it must be positive");
  }
}
