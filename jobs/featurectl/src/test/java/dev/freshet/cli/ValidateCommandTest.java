package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void acceptsTheProjectsContracts() {
    int exitCode = execute("validate", "--contracts", "../../contracts");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("ok  user_listening (behaviour, 7 features)");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void listsEveryProblemWithFileAndFieldAndFails() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("bad.yaml"),
            """
            name: bad
            version: 1
            owner: me
            description: broken on purpose
            source: { stream: music }
            entity: { name: user, keys: [{ field: user_id, type: string }] }
            features: []
            state_ttl: 1h
            freshness_sla: 5s
            offline: { table: bad }
            """);

    int exitCode = execute("validate", "--contracts", dir.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .contains(
            file + ":5:11: source.stream: 'music' is not a stream; expected behaviour or file")
        .contains(file + ":7:1: features: is required: a list with at least one feature")
        .contains("2 problem(s)");
  }

  @Test
  void everyCommandAnswersHelp() {
    for (String command : List.of("run", "validate", "diff", "explain", "init")) {
      StringWriter help = new StringWriter();
      CommandLine cli = Featurectl.commandLine();
      cli.setOut(new PrintWriter(help));

      assertThat(cli.execute(command, "--help")).as(command).isZero();
      assertThat(help.toString()).as(command).startsWith("Usage: featurectl " + command);
    }
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }
}
