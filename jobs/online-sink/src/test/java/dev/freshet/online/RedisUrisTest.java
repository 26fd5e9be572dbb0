package dev.freshet.online;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisUrisTest {

  @Test
  void passwordsAreMaskedInEveryFormLettuceAccepts() {
    assertThat(RedisUris.withoutCredentials("redis://default:s3cret@redis:6379/0"))
        .isEqualTo("redis://***@redis:6379/0");
    assertThat(RedisUris.withoutCredentials("rediss://:s3cret@redis:6380"))
        .isEqualTo("rediss://***@redis:6380");
    assertThat(RedisUris.withoutCredentials("redis-sentinel://s3cret@h1:26379,h2:26379#mymaster"))
        .isEqualTo("redis-sentinel://***@h1:26379,h2:26379#mymaster");
    assertThat(RedisUris.withoutCredentials("redis://p@ss@redis:6379"))
        .as("an unescaped @ in the password")
        .isEqualTo("redis://***@redis:6379");
  }

  @Test
  void aUriWithoutCredentialsIsUnchanged() {
    assertThat(RedisUris.withoutCredentials("redis://redis:6379")).isEqualTo("redis://redis:6379");
    assertThat(RedisUris.withoutCredentials("redis://127.0.0.1:6379?timeout=10s"))
        .isEqualTo("redis://127.0.0.1:6379?timeout=10s");
  }
}
