package dev.freshet.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaSinkBuilderTest {

  private static final DeltaTableSchema CLICKS =
      DeltaTableSchema.builder("clicks").requiredColumn("user_id", DeltaColumnType.STRING).build();

  @Test
  void buildReportsEveryMissingOptionByName() {
    assertThatThrownBy(() -> DeltaSink.builder().maxCommitAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("basePath is required")
        .hasMessageContaining("tables is required")
        .hasMessageContaining("appId is required")
        .hasMessageContaining("maxCommitAttempts must be at least 1, got 0");
  }

  @Test
  void blankAppIdIsRejected() {
    assertThatThrownBy(
            () ->
                DeltaSink.builder()
                    .basePath("/tmp/delta")
                    .tables(List.of(CLICKS))
                    .appId(" ")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid DeltaSink configuration: appId is required (the id Delta records with each"
                + " commit of this job)");
  }

  @Test
  void tableListedTwiceIsRejectedWhereItIsSet() {
    assertThatThrownBy(() -> DeltaSink.builder().tables(List.of(CLICKS, CLICKS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tables lists table 'clicks' more than once");
  }

  @Test
  void eventTimeColumnOfAnotherTypeFailsNamingTableColumnAndType() {
    DeltaTableSchema stringEventTime =
        DeltaTableSchema.builder("sessions")
            .requiredColumn("user_id", DeltaColumnType.STRING)
            .nullableColumn("event_time", DeltaColumnType.STRING)
            .build();

    assertThatThrownBy(
            () ->
                DeltaSink.builder()
                    .basePath("/tmp/delta")
                    .tables(List.of(DeltaTestTables.featureTable("features"), stringEventTime))
                    .appId("features-v1")
                    .eventTimeColumn("event_time")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid DeltaSink configuration: eventTimeColumn 'event_time' is STRING in table"
                + " 'sessions'; an event time column must be LONG (epoch milliseconds)");
  }

  @Test
  void tableWithoutTheEventTimeColumnBuilds() {
    DeltaSink sink =
        DeltaSink.builder()
            .basePath("/tmp/delta")
            .tables(List.of(CLICKS, DeltaTestTables.featureTable("features")))
            .appId("features-v1")
            .eventTimeColumn("event_time")
            .build();

    assertThat(sink).isNotNull();
  }

  @Test
  void completeConfigurationBuilds() {
    DeltaSink sink =
        DeltaSink.builder()
            .basePath("file:///tmp/delta")
            .tables(List.of(CLICKS))
            .appId("features-v1")
            .build();

    assertThat(sink).isNotNull();
  }
}
