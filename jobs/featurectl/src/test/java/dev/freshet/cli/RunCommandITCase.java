package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** README command 1, shortened: the local platform commits rows for every contract. */
class RunCommandITCase {

  private static final Pattern CONTRACT_LINE =
      Pattern.compile("^\\s+(\\w+)\\s+(\\d+)\\s+(\\d+|-)\\s+.*$", Pattern.MULTILINE);

  @TempDir Path dataDir;

  @Test
  void commitsRowsForEveryContractAndStopsItsBroker() {
    StringWriter out = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));

    int exitCode =
        cli.execute(
            "run",
            "--contracts",
            "../../contracts",
            "--data-dir",
            dataDir.toString(),
            "--events-per-second",
            "300",
            "--report-every-s",
            "5",
            "--duration-s",
            "35",
            "--web-ui-port",
            "0");

    assertThat(exitCode).as(out.toString()).isZero();
    String lastReport = out.toString().substring(out.toString().lastIndexOf("produced"));
    List<String> contractsWithRows = new ArrayList<>();
    Matcher line = CONTRACT_LINE.matcher(lastReport);
    while (line.find()) {
      if (Long.parseLong(line.group(2)) > 0 && !line.group(3).equals("-")) {
        contractsWithRows.add(line.group(1));
      }
    }
    assertThat(contractsWithRows)
        .as(out.toString())
        .containsExactlyInAnyOrderElementsOf(contractIds());
    assertThat(out.toString()).contains("freshet: stopped");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private static List<String> contractIds() {
    return new ContractLoader()
        .loadDirectory(Path.of("../../contracts")).stream().map(Contract::id).toList();
  }
}
