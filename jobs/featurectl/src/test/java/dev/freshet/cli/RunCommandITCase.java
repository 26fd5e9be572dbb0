package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.contract.Contract;
import dev.freshet.contract.ContractLoader;
import dev.freshet.localstack.LoopbackPorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * README command 1, shortened: the local platform commits rows for every contract and, with
 * redis-server installed (as CI installs it), serves online contracts through the feature server.
 */
class RunCommandITCase {

  private static final Pattern CONTRACT_LINE =
      Pattern.compile("^\\s+(\\w+)\\s+(\\d+)\\s+(\\d+|-)\\s+.*$", Pattern.MULTILINE);

  @TempDir Path dataDir;

  @Test
  void commitsRowsForEveryContractServesThemOnlineAndStopsItsServers() {
    // Other test classes of this JVM may share a broker or Redis started before this test.
    Set<Long> childrenBefore = childProcesses();
    StringWriter out = new StringWriter();
    CommandLine cli = Featurectl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));

    int metricsPort = LoopbackPorts.pickFree(1)[0];
    MetricsScraper scraper = new MetricsScraper(metricsPort);
    scraper.start();

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
            // Contracts whose windows all hop by the minute write their first rows after the
            // first minute boundary, plus watermark, rename timeout and checkpoint delays.
            "75",
            "--web-ui-port",
            "0",
            "--serving-port",
            "0",
            "--metrics-port",
            Integer.toString(metricsPort));
    scraper.interrupt();

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
    String lastLookup = lastReport.substring(lastReport.indexOf("online: user_listening"));
    assertThat(lastLookup)
        .as(out.toString())
        .startsWith("online: user_listening for user_id=user-0 through FeastClient")
        .containsPattern("plays_1m=\\d+")
        .contains("top_artists_1h=[");
    assertThat(out.toString())
        .contains("metrics: http://localhost:" + metricsPort + "/metrics")
        .contains("freshet: stopped");
    assertThat(scraper.seriesSeen())
        .as("the series the metrics endpoint served during the run")
        .anyMatch(
            series ->
                series.startsWith(
                    "flink_taskmanager_job_task_operator_contract_freshnessSlaMs{contract=\"user_listening\""))
        .anyMatch(
            series ->
                series.startsWith("flink_taskmanager_job_task_operator_contract_sink_freshnessMs"));
    assertThat(childProcesses())
        .as("the broker and redis-server the command started")
        .isSubsetOf(childrenBefore);
  }

  private static Set<Long> childProcesses() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  private static List<String> contractIds() {
    return new ContractLoader()
        .loadDirectory(Path.of("../../contracts")).stream().map(Contract::id).toList();
  }

  /**
   * Reads the metrics endpoint every second while the command runs and gathers every series it
   * served. The union, not the last answer: while the job is cancelled its metric groups close one
   * by one, so a late answer may hold some of the job's series and not others.
   */
  private static final class MetricsScraper extends Thread {
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI endpoint;
    private final Set<String> seriesSeen = ConcurrentHashMap.newKeySet();

    MetricsScraper(int port) {
      super("metrics-scraper");
      setDaemon(true);
      this.endpoint = URI.create("http://localhost:" + port + "/metrics");
    }

    @Override
    public void run() {
      while (!isInterrupted()) {
        try {
          String body =
              http.send(HttpRequest.newBuilder(endpoint).build(), BodyHandlers.ofString()).body();
          body.lines()
              .filter(line -> !line.startsWith("#") && line.contains(" "))
              .map(line -> line.substring(0, line.lastIndexOf(' ')))
              .forEach(seriesSeen::add);
          Thread.sleep(1_000);
        } catch (InterruptedException e) {
          return;
        } catch (IOException notUpYet) {
          try {
            Thread.sleep(1_000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    Set<String> seriesSeen() {
      return Set.copyOf(seriesSeen);
    }
  }
}
