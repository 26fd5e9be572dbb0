package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The cluster commands where no cluster runs; LocalFlinkClusterITCase starts a real one. */
class ClusterCommandTest {

  @TempDir Path dir;

  @Test
  void statusOfADirectoryWithoutAClusterSaysSoAndFails() {
    StringWriter out = new StringWriter();
    assertThat(run(out, "cluster", "status", "--dir", dir.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("no cluster of " + dir + " is running");
  }

  @Test
  void stoppingAClusterThatIsNotRunningSaysSoAndSucceeds() {
    StringWriter out = new StringWriter();
    assertThat(run(out, "cluster", "stop", "--dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("no cluster of " + dir + " is running");
  }

  private static int run(StringWriter out, String... arguments) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    return cli.execute(arguments);
  }
}
