package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DiffCommandTest {

  static final String LISTENING =
      """
      # yaml-language-server: $schema=schema/contract.schema.json
      name: listening
      version: 1
      owner: recs
      description: how much users listen
      source: { stream: behaviour }
      entity: { name: user, keys: [{ field: user_id, type: string }] }
      features:
        - name: plays_1m
          type: long
          aggregation: count
          filter: action == 'play'
          window: { type: sliding, size: 1m, hop: 10s }
      state_ttl: 1h
      freshness_sla: 5s
      offline: { table: listening }
      """;

  static final String HOSTS =
      """
      name: hosts
      version: 1
      owner: storage
      description: file events per host
      source: { stream: file }
      entity: { name: host, keys: [{ field: host, type: string }] }
      features:
        - name: events_1m
          type: long
          aggregation: count
          window: { type: tumbling, size: 1m }
      state_ttl: 1h
      freshness_sla: 5s
      offline: { table: hosts }
      """;

  private static final String NOT_ACCEPTED =
      "error: 1 breaking change(s) not accepted; raise the contract's version, or deprecate"
          + " before removing (see the reasons above)\n";

  @TempDir Path dir;

  private TempGitRepository repository;
  private Path contracts;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void createRepository() throws Exception {
    repository = TempGitRepository.init(dir);
    contracts = dir.resolve("contracts");
  }

  @Test
  void unchangedContractsHaveNoChanges() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");

    int exitCode = diff("HEAD");

    assertThat(exitCode).isZero();
    assertThat(out).hasToString("No changes to the contracts since HEAD.\n");
    assertThat(err).hasToString("");
  }

  @Test
  void breakingChangeWithoutANewVersionFails() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");
    repository.write("contracts/listening.yaml", LISTENING.replace("size: 1m", "size: 5m"));

    int exitCode = diff("HEAD");

    assertThat(exitCode).isEqualTo(1);
    assertThat(out)
        .hasToString(
            """
            BREAKING  listening  features[plays_1m].window: sliding 1m/10s -> sliding 5m/10s\
              (the feature covers another span of time; raise version to 2 for a new state\
             namespace and table)
            1 change(s) since HEAD: 0 compatible, 1 breaking (0 accepted)
            """);
    assertThat(err).hasToString(NOT_ACCEPTED);
  }

  @Test
  void breakingChangeWithANewVersionPasses() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");
    repository.write(
        "contracts/listening.yaml",
        LISTENING.replace("size: 1m", "size: 5m").replace("version: 1", "version: 2"));

    int exitCode = diff("HEAD");

    assertThat(exitCode).isZero();
    assertThat(out)
        .hasToString(
            """
            COMPATIBLE  listening  version: 1 -> 2\
              (replaces version 1 in a new state namespace and table; version 1's table stays,\
             no longer written)
            BREAKING  listening  features[plays_1m].window: sliding 1m/10s -> sliding 5m/10s\
              (the feature covers another span of time; accepted: version 2 gets its own state\
             and table)
            2 change(s) since HEAD: 1 compatible, 1 breaking (1 accepted)
            """);
    assertThat(err).hasToString("");
  }

  @Test
  void newContractsAndMetadataAreCompatible() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");
    repository.write("contracts/listening.yaml", LISTENING.replace("owner: recs", "owner: taste"));
    repository.write("contracts/hosts.yml", HOSTS);

    int exitCode = diff("HEAD");

    assertThat(exitCode).isZero();
    assertThat(out)
        .hasToString(
            """
            COMPATIBLE  hosts  contract: (none) -> version 1\
              (new contract: 1 feature(s) into table hosts)
            COMPATIBLE  listening  owner: "recs" -> "taste"  (metadata only)
            2 change(s) since HEAD: 2 compatible, 0 breaking (0 accepted)
            """);
  }

  @Test
  void removedContractFails() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.write("contracts/hosts.yaml", HOSTS);
    repository.commitAll("two contracts");
    repository.delete("contracts/listening.yaml");

    int exitCode = diff("HEAD");

    assertThat(exitCode).isEqualTo(1);
    assertThat(out)
        .hasToString(
            """
            BREAKING  listening  contract: version 1 -> (none)  (contract removed: its table and\
             features stop; set lifecycle: deprecated first and remove it in a later change)
            1 change(s) since HEAD: 0 compatible, 1 breaking (0 accepted)
            """);
    assertThat(err).hasToString(NOT_ACCEPTED);
  }

  @Test
  void comparesWithAnOlderCommitByItsRef() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");
    repository.git("tag", "v1");
    repository.write(
        "contracts/listening.yaml", LISTENING.replace("action == 'play'", "action == 'like'"));
    repository.commitAll("likes instead of plays");

    assertThat(diff("HEAD")).isZero();
    assertThat(diff("v1")).isEqualTo(1);
    assertThat(out.toString().lines())
        .containsExactly(
            "No changes to the contracts since HEAD.",
            "BREAKING  listening  features[plays_1m].filter: \"action == 'play'\""
                + " -> \"action == 'like'\"  (the feature counts other events;"
                + " raise version to 2 for a new state namespace and table)",
            "1 change(s) since v1: 0 compatible, 1 breaking (0 accepted)");
  }

  @Test
  void everyContractIsNewWhenTheRefHasNoContractFolder() throws Exception {
    repository.write("README.md", "no contracts yet\n");
    repository.commitAll("readme");
    repository.write("contracts/listening.yaml", LISTENING);

    int exitCode = diff("HEAD");

    assertThat(exitCode).isZero();
    assertThat(out)
        .hasToString(
            """
            COMPATIBLE  listening  contract: (none) -> version 1\
              (new contract: 1 feature(s) into table listening)
            1 change(s) since HEAD: 1 compatible, 0 breaking (0 accepted)
            """);
  }

  @Test
  void readsContractsAtTheTopOfTheRepository() throws Exception {
    repository.write("listening.yaml", LISTENING);
    repository.commitAll("listening at the top");
    repository.write("listening.yaml", LISTENING.replace("version: 1", "version: 2"));

    int exitCode = execute("diff", "--base", "HEAD", "--contracts", dir.toString());

    assertThat(exitCode).isZero();
    assertThat(out.toString().lines())
        .containsExactly(
            "COMPATIBLE  listening  version: 1 -> 2"
                + "  (replaces version 1 in a new state namespace and table;"
                + " version 1's table stays, no longer written)",
            "1 change(s) since HEAD: 1 compatible, 0 breaking (0 accepted)");
  }

  @Test
  void invalidContractsAtTheRefAreReportedWithRefAndPath() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING.replace("version: 1", "version: 0"));
    repository.commitAll("broken");
    repository.write("contracts/listening.yaml", LISTENING);

    int exitCode = diff("HEAD");

    assertThat(exitCode).isEqualTo(2);
    assertThat(out).hasToString("");
    assertThat(err)
        .hasToString(
            """
            HEAD:contracts/listening.yaml:3:1: version: '0' must be a whole number from 1 to 999
            error: the contracts at HEAD fail validation with 1 problem(s); the diff needs valid\
             contracts on both sides
            """);
  }

  @Test
  void invalidContractsInTheWorkingTreeExitWith2() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");
    Path file =
        repository.write(
            "contracts/listening.yaml", LISTENING.replace("version: 1", "version: many"));

    int exitCode = diff("HEAD");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            file + ":3:1: version: 'many' must be a whole number from 1 to 999",
            "error: the contracts in "
                + contracts
                + " fail validation with 1 problem(s); the diff needs valid contracts on both"
                + " sides");
  }

  @Test
  void unknownRefExitsWith2() throws Exception {
    repository.write("contracts/listening.yaml", LISTENING);
    repository.commitAll("listening");

    int exitCode = diff("origin/main");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err)
        .hasToString(
            "error: 'origin/main' names no commit in the repository at "
                + repository.git("rev-parse", "--show-toplevel").strip()
                + "\n");
  }

  @Test
  void folderOutsideARepositoryExitsWith2(@TempDir Path elsewhere) throws IOException {
    int exitCode = execute("diff", "--base", "HEAD", "--contracts", elsewhere.toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("error: '" + elsewhere + "' is not in a git working tree");
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(execute("diff", "--contracts", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--base=<git ref>'");

    assertThat(execute("diff", "--base=-x", "--contracts", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--base '-x' is not a git ref");

    assertThat(execute("diff", "--base", "HEAD", "--contracts", dir.resolve("missing").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("is not a directory; pass the contract folder");
  }

  @Test
  void helpDocumentsTheExitCodes() {
    int exitCode = execute("diff", "--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .startsWith("Usage: featurectl diff [-hV] --base=<git ref> [--contracts=DIR]")
        .contains("Exit codes:")
        .contains("  0   no breaking change, or every breaking change is accepted")
        .contains("  1   a breaking change without a raised version")
        .contains("  2   usage error, git error, or contracts that fail validation");
  }

  private int diff(String base) {
    return execute("diff", "--base", base, "--contracts", contracts.toString());
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
