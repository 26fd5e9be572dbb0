package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar, built in the package phase before this runs: it carries the connectors and
 * sinks a Flink cluster does not have, and none of the Feast client's gRPC and service stubs.
 * (Guava is there, for CEL.)
 */
class JobJarITCase {

  @Test
  void jobJarCarriesTheSinksAndNotTheFeastClientsGrpc() throws IOException {
    List<String> entries;
    try (JarFile jar = new JarFile(jobJar().toFile())) {
      entries = jar.stream().map(JarEntry::getName).toList();
    }

    assertThat(entries)
        .contains(
            "dev/freshet/job/FeatureJob.class",
            "dev/freshet/delta/DeltaSink.class",
            "dev/freshet/online/OnlineSink.class",
            "feast/proto/types/ValueProto.class",
            "io/lettuce/core/RedisClient.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class");
    assertThat(entries)
        .noneMatch(entry -> entry.startsWith("io/grpc/"))
        .noneMatch(entry -> entry.startsWith("feast/proto/serving/"))
        .noneMatch(entry -> entry.startsWith("org/junit/"))
        .noneMatch(entry -> entry.startsWith("org/apache/flink/streaming/api/environment/"));
  }

  /** The shaded job jar under {@code target/}. */
  static Path jobJar() throws IOException {
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "*-job.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IllegalStateException("no *-job.jar in target/: run through mvn verify");
  }
}
