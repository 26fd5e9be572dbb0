package dev.freshet.bench.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadyTimesTest {

  @Test
  void aFeatureTimeIsReadyWhenTheSlowestPartitionCarriedItPlusItsLag() {
    ReadyTimes ready = new ReadyTimes();
    ready.expect("behaviour", 0, 1_000);
    ready.expect("file", 0, 2_000);
    ready.appended("behaviour", 0, 10_500, 100);
    ready.appended("behaviour", 0, 11_000, 200);
    ready.appended("file", 0, 11_900, 250);
    ready.appended("file", 0, 12_000, 400);

    assertThat(ready.readyAt(10_000))
        .as("behaviour carried 11,000 at 200, file 12,000 at 400")
        .isEqualTo(400);
    assertThat(ready.readyAt(9_900)).as("file carried 11,900 at 250").isEqualTo(250);
    assertThat(ready.readyAt(10_001)).as("no file record reached 12,001").isEqualTo(-1);
  }

  @Test
  void aLateRecordDoesNotMoveAPartitionBack() {
    ReadyTimes ready = new ReadyTimes();
    ready.expect("behaviour", 0, 0);
    ready.appended("behaviour", 0, 5_000, 10);
    ready.appended("behaviour", 0, 4_000, 20);
    ready.appended("behaviour", 0, 6_000, 30);

    assertThat(ready.readyAt(4_000)).isEqualTo(10);
    assertThat(ready.readyAt(5_500)).isEqualTo(30);
  }

  @Test
  void aPartitionThatCarriedNothingKeepsEveryTimeUnready() {
    ReadyTimes ready = new ReadyTimes();
    ready.expect("behaviour", 0, 0);
    ready.expect("behaviour", 1, 0);
    ready.appended("behaviour", 0, 5_000, 10);

    assertThat(ready.readyAt(1_000)).isEqualTo(-1);
    assertThatThrownBy(() -> ready.appended("file", 0, 1, 1))
        .isInstanceOf(IllegalStateException.class);
  }
}
