package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.contract.EntityKey;
import dev.freshet.contract.KeyType;
import dev.freshet.contract.Lifecycle;
import dev.freshet.events.EventField;
import dev.freshet.events.EventStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InitCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void writesADraftContractThatPassesTheLoader() throws IOException {
    Path contracts = dir.resolve("contracts");

    int exitCode =
        execute(
            "init",
            "user_plays",
            "--stream",
            "behaviour",
            "--entity-key",
            "user_id",
            "--contracts",
            contracts.toString());

    assertThat(exitCode).isZero();
    Path file = contracts.resolve("user_plays.yaml");
    assertThat(out.toString())
        .startsWith(
            "Created "
                + file
                + ": draft contract user_plays, counting behaviour events per"
                + " user_id.\n");
    assertThat(err).hasToString("");
    assertThat(Files.readAllLines(file).get(0))
        .isEqualTo("# yaml-language-server: $schema=schema/contract.schema.json");
    Contract contract = new ContractLoader().loadDirectory(contracts).get(0);
    assertThat(contract.name()).isEqualTo("user_plays");
    assertThat(contract.version()).isEqualTo(1);
    assertThat(contract.lifecycle()).isEqualTo(Lifecycle.DRAFT);
    assertThat(contract.source()).isEqualTo(EventStream.BEHAVIOUR);
    assertThat(contract.entity().name()).isEqualTo("user");
    assertThat(contract.entity().keys()).containsExactly(new EntityKey("user_id", KeyType.STRING));
    assertThat(contract.offlineTable()).isEqualTo("user_plays");
  }

  @Test
  void templateIsValidForEveryFieldOfEveryStream() throws IOException {
    for (EventStream stream : EventStream.values()) {
      for (EventField field : stream.fields()) {
        Path file = dir.resolve(stream.sourceName() + "_" + field.name() + ".yaml");
        Files.writeString(file, InitCommand.render("by_" + field.name(), stream, field));

        Contract contract = new ContractLoader().loadFiles(List.of(file)).get(0);

        assertThat(contract.entity().keys())
            .extracting(EntityKey::field)
            .containsExactly(field.name());
      }
    }
  }

  @Test
  void longKeyFieldsGetTypeLong() throws IOException {
    int exitCode =
        execute(
            "init",
            "inode_churn",
            "--stream",
            "file",
            "--entity-key",
            "inode",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isZero();
    Contract contract = new ContractLoader().loadDirectory(dir).get(0);
    assertThat(contract.entity().keys()).containsExactly(new EntityKey("inode", KeyType.LONG));
    assertThat(Files.readString(dir.resolve("inode_churn.yaml")))
        .contains("  # filter: op == 'write'");
  }

  @Test
  void refusesToOverwriteAnExistingContract() throws IOException {
    Path existing = Files.writeString(dir.resolve("user_plays.yaml"), "mine\n");

    int exitCode =
        execute(
            "init",
            "user_plays",
            "--stream",
            "behaviour",
            "--entity-key",
            "user_id",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err).hasToString("error: " + existing + " already exists; not overwritten\n");
    assertThat(Files.readString(existing)).isEqualTo("mine\n");
  }

  @Test
  void refusesWhenTheNameIsTakenByAYmlFile() throws IOException {
    Path existing = Files.writeString(dir.resolve("user_plays.yml"), "mine\n");

    int exitCode =
        execute(
            "init",
            "user_plays",
            "--stream",
            "behaviour",
            "--entity-key",
            "user_id",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err).hasToString("error: " + existing + " already exists; not overwritten\n");
    assertThat(dir.resolve("user_plays.yaml")).doesNotExist();
  }

  @Test
  void unknownKeyFieldIsAUsageError() {
    int exitCode =
        execute(
            "init",
            "hosts",
            "--stream",
            "file",
            "--entity-key",
            "user_id",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "--entity-key 'user_id' is not a field of file events; known: [event_id, host, path,");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void unknownStreamIsAUsageError() {
    int exitCode =
        execute(
            "init",
            "hosts",
            "--stream",
            "music",
            "--entity-key",
            "host",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "Invalid value for option '--stream': 'music' is not a stream; expected one of"
                + " [behaviour, file]");
  }

  @Test
  void nameMustBeSnakeCase() {
    int exitCode =
        execute(
            "init",
            "User-Plays",
            "--stream",
            "behaviour",
            "--entity-key",
            "user_id",
            "--contracts",
            dir.toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("'User-Plays' is not a contract name: use snake_case (a-z, 0-9, _)");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void helpListsStreamsAndExitCodes() {
    int exitCode = execute("init", "--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .contains("Event stream the contract reads: behaviour, file.")
        .contains("Exit codes:")
        .contains("  1   not written: the file exists or cannot be written");
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
