package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.core.RegistryProto;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RegisterCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void writesTheRegistryOfTheOnlineContracts() throws IOException {
    Path contracts = contracts(FeastRegistryExportTest.USER_LISTENING);
    Path output = dir.resolve("feast/registry.pb");

    int exitCode =
        execute(
            "register",
            "--contracts",
            contracts.toString(),
            "--output",
            output.toString(),
            "--delta-path",
            "/data/delta");

    assertThat(exitCode).isZero();
    assertThat(err).hasToString("");
    RegistryProto.Registry registry = RegistryProto.Registry.parseFrom(Files.readAllBytes(output));
    assertThat(registry.getFeatureViews(0).getSpec().getName()).isEqualTo("user_listening");
    assertThat(out.toString().lines())
        .startsWith("Feast registry: 1 project(s), 1 entities, 1 feature views")
        .contains("    batch source  /data/delta/user_listening (Delta, timestamp feature_time)")
        .last()
        .isEqualTo("wrote " + output + " (" + Files.size(output) + " bytes)");
    assertThat(output.resolveSibling("registry.pb.partial")).doesNotExist();
  }

  @Test
  void dryRunPrintsAndWritesNothing() throws IOException {
    Path contracts = contracts(FeastRegistryExportTest.USER_LISTENING);
    Path output = dir.resolve("registry.pb");

    int exitCode =
        execute(
            "register",
            "--contracts",
            contracts.toString(),
            "--output",
            output.toString(),
            "--print");

    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .contains(
            "  feature view user_listening (contract user_listening, version 1, owner"
                + " recommendations)")
        .endsWith("dry run: nothing written\n");
    assertThat(output).doesNotExist();
  }

  @Test
  void noOnlineContractIsAnError() throws IOException {
    Path contracts = contracts(FeastRegistryExportTest.OFFLINE_ONLY);

    int exitCode = execute("register", "--contracts", contracts.toString(), "--dry-run");

    assertThat(exitCode).isEqualTo(1);
    assertThat(err)
        .hasToString(
            "error: no contract in "
                + contracts
                + " has online.enabled: true; nothing to register\n");
  }

  @Test
  void conflictingContractsAreAnErrorNamingThem() throws IOException {
    Path contracts =
        contracts(FeastRegistryExportTest.DEVICE_WRITES, FeastRegistryExportTest.DEVICE_ACTIONS);

    int exitCode = execute("register", "--contracts", contracts.toString(), "--dry-run");

    assertThat(exitCode).isEqualTo(1);
    assertThat(out).hasToString("");
    assertThat(err.toString())
        .startsWith("error: key field device is string in contract device_actions")
        .contains("but long in contract device_writes");
  }

  @Test
  void invalidContractsAreAnError() throws IOException {
    Path contracts =
        contracts(FeastRegistryExportTest.USER_LISTENING.replace("version: 1", "version: x"));

    int exitCode = execute("register", "--contracts", contracts.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString())
        .contains("version: 'x' must be a whole number")
        .contains("error: 1 problem(s); fix them first (featurectl validate)");
  }

  @Test
  void unwritableOutputIsAnError() throws IOException {
    Path contracts = contracts(FeastRegistryExportTest.USER_LISTENING);
    Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a folder");

    int exitCode =
        execute(
            "register",
            "--contracts",
            contracts.toString(),
            "--output",
            blocker.resolve("registry.pb").toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: cannot write " + blocker.resolve("registry.pb"));
  }

  private Path contracts(String... yamls) throws IOException {
    Path contracts = Files.createDirectories(dir.resolve("contracts"));
    for (String yaml : yamls) {
      String name = yaml.lines().findFirst().orElseThrow().substring("name: ".length());
      Files.writeString(contracts.resolve(name + ".yaml"), yaml);
    }
    return contracts;
  }

  private int execute(String... args) {
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
