package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dataDir;

  @Test
  void fileObservationRateOutOfRangeIsRejectedBeforeAnythingStarts() {
    assertRejectedBeforeAnythingStarts(
        "--file-observations-per-second must be in [0, 1000], got 1001",
        "--file-observations-per-second",
        "1001");
  }

  @Test
  void aRenameTimeoutShorterThanTheDedupWindowIsRejectedBeforeAnythingStarts() {
    assertRejectedBeforeAnythingStarts(
        "need 0 <= --dedup-window-ms <= --rename-timeout-ms, got 300 and 200",
        "--dedup-window-ms",
        "300",
        "--rename-timeout-ms",
        "200");
  }

  /** Usage error (exit 2) with this message, nothing printed, no data folder made. */
  private void assertRejectedBeforeAnythingStarts(String message, String... options) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "run",
                "--contracts",
                "../../contracts",
                "--data-dir",
                dataDir.resolve("data").toString()));
    arguments.addAll(List.of(options));

    int exitCode = cli.execute(arguments.toArray(String[]::new));

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).startsWith(message);
    assertThat(out).hasToString("");
    assertThat(dataDir.resolve("data")).doesNotExist();
  }
}
