package dev.freshet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.events.EventStream;
import dev.freshet.events.FileTraceGenerator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job's command line, as a cluster passes it (FlinkDeployment args, featurectl submit). */
class FeatureJobArgumentsTest {

  @Test
  void everyOptionReachesTheJobsSettings() {
    FeatureJob job = new FeatureJob();
    new CommandLine(job)
        .parseArgs(
            "--contracts",
            "/opt/freshet/contracts",
            "--bootstrap-servers",
            "kafka:9092",
            "--delta-path",
            "s3a://freshet/delta",
            "--redis-uri",
            "redis://redis:6379",
            "--behaviour-topic",
            "b",
            "--file-topic",
            "f",
            "--dead-letter-topic",
            "d",
            "--consumer-group",
            "g",
            "--delta-app-id",
            "lineage-7",
            "--hadoop-property",
            "fs.s3a.endpoint=http://minio:9000",
            "--hadoop-property",
            "fs.s3a.path.style.access=true",
            "--idleness-ms",
            "30000",
            "--max-event-time-ahead-ms",
            "5000",
            "--redis-outage-tolerance-ms",
            "45000",
            "--bounded");

    FeatureJobConfig config = job.config();

    assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(config.deltaBasePath()).isEqualTo("s3a://freshet/delta");
    assertThat(config.redis()).hasToString("redis://redis:6379");
    assertThat(config.topic(EventStream.BEHAVIOUR)).isEqualTo("b");
    assertThat(config.topic(EventStream.FILE)).isEqualTo("f");
    assertThat(config.deadLetterTopic()).isEqualTo("d");
    assertThat(config.consumerGroup()).isEqualTo("g");
    assertThat(config.deltaAppId()).isEqualTo("lineage-7");
    assertThat(config.hadoopConfiguration())
        .isEqualTo(
            Map.of("fs.s3a.endpoint", "http://minio:9000", "fs.s3a.path.style.access", "true"));
    assertThat(config.idleness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxEventTimeAhead()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.redisOutageTolerance()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.boundedInput()).isTrue();
  }

  @Test
  void timeSettingsHaveTheirDefaults() {
    FeatureJob job = new FeatureJob();
    new CommandLine(job)
        .parseArgs("--contracts", "c", "--bootstrap-servers", "k:9092", "--delta-path", "/d");

    FeatureJobConfig config = job.config();

    assertThat(config.idleness()).isEqualTo(FeatureJobConfig.DEFAULT_IDLENESS);
    assertThat(config.maxEventTimeAhead()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.redisOutageTolerance()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.boundedInput()).isFalse();
    assertThat(config.fileStateTtl())
        .as("the content memory the file truth of the tests' generator models")
        .isEqualTo(FileTraceGenerator.DEFAULT_CONTENT_MEMORY);
  }
}
