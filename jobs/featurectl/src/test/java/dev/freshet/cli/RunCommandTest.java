package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dataDir;

  @Test
  void fileObservationRateOutOfRangeIsRejectedBeforeAnythingStarts() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int exitCode =
        cli.execute(
            "run",
            "--contracts",
            "../../contracts",
            "--data-dir",
            dataDir.resolve("data").toString(),
            "--file-observations-per-second",
            "1001");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("--file-observations-per-second must be in [0, 1000], got 1001");
    assertThat(out).hasToString("");
    assertThat(dataDir.resolve("data")).doesNotExist();
  }

  @Test
  void aRenameTimeoutShorterThanTheDedupWindowIsRejectedBeforeAnythingStarts() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int exitCode =
        cli.execute(
            "run",
            "--contracts",
            "../../contracts",
            "--data-dir",
            dataDir.resolve("data").toString(),
            "--dedup-window-ms",
            "300",
            "--rename-timeout-ms",
            "200");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("need 0 <= --dedup-window-ms <= --rename-timeout-ms, got 300 and 200");
    assertThat(out).hasToString("");
    assertThat(dataDir.resolve("data")).doesNotExist();
  }
}
