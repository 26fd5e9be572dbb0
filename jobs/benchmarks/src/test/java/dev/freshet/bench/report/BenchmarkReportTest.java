package dev.freshet.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.bench.results.BenchmarkResults;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.bench.results.Ratio;
import dev.freshet.bench.results.Stats;
import dev.freshet.bench.results.Target;
import dev.freshet.bench.results.Target.Status;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic results in, well-formed JSON, markdown and PNGs out; never a measure of speed. */
class BenchmarkReportTest {

  private static final Figure CEILING =
      new Figure("ceiling", "throughput", "events/s", List.of(1_000_000.0, 1_250_000.0, 800_000.0));
  private static final Figure JOB =
      new Figure(
          "job-heap-delta", "throughput", "events/s", List.of(400_000.0, 500_000.0, 200_000.0));
  private static final Figure SQL =
      new Figure("flink-sql", "throughput", "events/s", List.of(200_000.0, 250_000.0, 250_000.0));
  private static final Figure RECOVERY =
      new Figure("recovery", "time to recover", "s", List.of(4.0, 2.0, 8.0, 6.0));
  private static final Figure ONLINE_P99 =
      new Figure("sustained", "online latency p99", "ms", List.of(42.5, 61.25, 38.125));

  private static final Ratio JOB_TO_CEILING = Ratio.of("our job ÷ ceiling", JOB, CEILING);
  private static final Ratio JOB_TO_SQL = Ratio.of("our job ÷ Flink SQL", JOB, SQL);

  private static final List<Target> TARGETS =
      List.of(
          Target.atLeast("throughput ÷ ceiling", "at least 0.3 × the ceiling", 0.3, 0.4, "×"),
          Target.atMost("online p99", "at most 50 ms", 50, 61.25, "ms"),
          Target.atMost("offline p90", "at most 350 ms", 350, 350.0, "ms"),
          Target.atLeast("catch-up", "at least 100,000 events/s", 100_000, null, "events/s"),
          Target.atMost("recovery", "at most 30 s", 30, Double.NaN, "s"));

  private static final BenchmarkResults RESULTS =
      new BenchmarkResults(
          "2026-12-06T11:05:00Z",
          "0123abc",
          Map.of("cores", "2"),
          Map.of("profile", "quick", "runs", "3"),
          List.of(JOB_TO_CEILING, JOB_TO_SQL),
          List.of(CEILING, JOB, SQL, RECOVERY, ONLINE_P99),
          TARGETS,
          List.of(throughputPlot(), latencyCdf()),
          List.of("the SQL baseline reads behaviour events only"));

  @TempDir static Path directory;
  private static List<Path> written;
  private static JsonNode json;
  private static String markdown;

  @BeforeAll
  static void writeTheReport() throws IOException {
    written = BenchmarkReport.write(RESULTS, directory);
    json = new ObjectMapper().readTree(directory.resolve("2026-12-06T11-05-00Z.json").toFile());
    markdown = Files.readString(directory.resolve("2026-12-06T11-05-00Z.md"));
  }

  @Test
  void filesAreNamedAfterTheStartTime() {
    assertThat(BenchmarkReport.baseName(RESULTS)).isEqualTo("2026-12-06T11-05-00Z");
    assertThat(written)
        .extracting(path -> path.getFileName().toString())
        .containsExactly(
            "2026-12-06T11-05-00Z.json",
            "2026-12-06T11-05-00Z.md",
            "2026-12-06T11-05-00Z-throughput.png",
            "2026-12-06T11-05-00Z-online-cdf.png");
    assertThat(written).allSatisfy(path -> assertThat(path).isRegularFile());
  }

  @Test
  void jsonHoldsEveryFigureRatioAndTargetWithFiniteNumbers() {
    assertThat(json.get("startedAt").asText()).isEqualTo("2026-12-06T11:05:00Z");
    assertThat(json.get("gitCommit").asText()).isEqualTo("0123abc");
    assertThat(json.get("machine").get("cores").asText()).isEqualTo("2");
    assertThat(json.get("settings").get("profile").asText()).isEqualTo("quick");
    assertThat(json.get("notes")).hasSize(1);
    assertThat(json.get("plots"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "2026-12-06T11-05-00Z-throughput.png", "2026-12-06T11-05-00Z-online-cdf.png");

    assertThat(json.get("figures")).hasSize(RESULTS.figures().size());
    for (int i = 0; i < RESULTS.figures().size(); i++) {
      Figure figure = RESULTS.figures().get(i);
      JsonNode node = json.get("figures").get(i);
      assertThat(node.get("scenario").asText()).isEqualTo(figure.scenario());
      assertThat(node.get("metric").asText()).isEqualTo(figure.metric());
      assertThat(node.get("unit").asText()).isEqualTo(figure.unit());
      assertThat(numbers(node.get("runs"))).isEqualTo(figure.runs());
      assertFiniteNumbers(node, "median", "min", "max");
      assertThat(node.get("median").asDouble()).isEqualTo(figure.median());
    }

    assertThat(json.get("ratios")).hasSize(2);
    for (int i = 0; i < RESULTS.ratios().size(); i++) {
      Ratio ratio = RESULTS.ratios().get(i);
      JsonNode node = json.get("ratios").get(i);
      assertThat(node.get("name").asText()).isEqualTo(ratio.name());
      assertThat(node.get("numerator").get("scenario").asText())
          .isEqualTo(ratio.numerator().scenario());
      assertThat(node.get("numerator").get("metric").asText()).isEqualTo("throughput");
      assertThat(node.get("denominator").get("scenario").asText())
          .isEqualTo(ratio.denominator().scenario());
      assertThat(numbers(node.get("perRun"))).isEqualTo(ratio.perRun());
      assertFiniteNumbers(node, "median", "min", "max");
    }

    assertThat(json.get("targets")).hasSize(TARGETS.size());
    for (JsonNode node : json.get("targets")) {
      assertThat(node.get("name").asText()).isNotBlank();
      assertThat(node.get("goal").asText()).isNotBlank();
      assertThat(node.get("unit").asText()).isNotBlank();
      assertThat(node.get("upper").isBoolean()).isTrue();
      assertFiniteNumbers(node, "bound");
      if (node.get("status").asText().equals("NOT_MEASURED")) {
        assertThat(node.get("measured").isNull()).isTrue();
      } else {
        assertFiniteNumbers(node, "measured");
      }
    }
  }

  @Test
  void aRatioDividesRunIOfTheNumeratorByRunIOfTheDenominator() {
    assertThat(JOB_TO_CEILING.perRun()).containsExactly(0.4, 0.4, 0.25);
    assertThat(JOB_TO_SQL.perRun()).containsExactly(2.0, 2.0, 0.8);
    JsonNode perRun = json.get("ratios").get(0).get("perRun");
    for (int i = 0; i < 3; i++) {
      assertThat(perRun.get(i).asDouble())
          .isCloseTo(JOB.runs().get(i) / CEILING.runs().get(i), within(1e-12));
    }

    Ratio unevenRuns = Ratio.of("recovery ÷ ceiling", RECOVERY, CEILING);
    assertThat(unevenRuns.perRun()).hasSize(3);
    assertThat(unevenRuns.perRun().get(2)).isEqualTo(8.0 / 800_000.0);
  }

  @Test
  void medianMinAndMaxForOddAndEvenRunCounts() {
    assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Stats.median(List.of(4.0, 2.0, 8.0, 6.0))).isEqualTo(5.0);
    assertThat(Stats.median(List.of(7.0))).isEqualTo(7.0);

    assertThat(JOB.median()).isEqualTo(400_000.0);
    assertThat(RECOVERY.median()).isEqualTo(5.0);
    assertThat(RECOVERY.min()).isEqualTo(2.0);
    assertThat(RECOVERY.max()).isEqualTo(8.0);
    assertThat(JOB_TO_CEILING.median()).isEqualTo(0.4);
    assertThat(JOB_TO_CEILING.min()).isEqualTo(0.25);
    assertThat(JOB_TO_CEILING.max()).isEqualTo(0.4);
    Ratio evenRuns =
        Ratio.of("even", RECOVERY, new Figure("one", "m", "s", List.of(1.0, 1.0, 1.0, 1.0)));
    assertThat(evenRuns.median()).isEqualTo(5.0);

    JsonNode recovery = json.get("figures").get(3);
    assertThat(recovery.get("median").asDouble()).isEqualTo(5.0);
    assertThat(recovery.get("min").asDouble()).isEqualTo(2.0);
    assertThat(recovery.get("max").asDouble()).isEqualTo(8.0);
    JsonNode jobToCeiling = json.get("ratios").get(0);
    assertThat(jobToCeiling.get("median").asDouble()).isEqualTo(0.4);
    assertThat(jobToCeiling.get("min").asDouble()).isEqualTo(0.25);
  }

  @Test
  void targetsAreMetNotMetOrNotMeasured() {
    List<Status> expected =
        List.of(Status.MET, Status.NOT_MET, Status.MET, Status.NOT_MEASURED, Status.NOT_MEASURED);
    assertThat(TARGETS).extracting(Target::status).isEqualTo(expected);
    assertThat(Target.atLeast("exact", "at least 1", 1, 1.0, "×").status()).isEqualTo(Status.MET);
    assertThat(json.get("targets"))
        .extracting(node -> Status.valueOf(node.get("status").asText()))
        .isEqualTo(expected);

    assertThat(markdown)
        .contains("| throughput ÷ ceiling | at least 0.3 × the ceiling | 0.40 × | met |")
        .contains("| online p99 | at most 50 ms | 61.3 ms | not met |")
        .contains("| offline p90 | at most 350 ms | 350 ms | met |")
        .contains("| catch-up | at least 100,000 events/s | – | not measured |")
        .contains("| recovery | at most 30 s | – | not measured |");
  }

  @Test
  void markdownPutsOneRowPerRatioBeforeTheTargetsAndTheFigures() {
    int targets = markdown.indexOf("## Targets");
    int figures = markdown.indexOf("## Figures");
    int plots = markdown.indexOf("## Plots");
    assertThat(markdown.indexOf("## Ratios")).isGreaterThanOrEqualTo(0).isLessThan(targets);
    assertThat(targets).isLessThan(figures);
    assertThat(figures).isLessThan(plots);

    List<String> ratioRows =
        markdown
            .substring(markdown.indexOf("## Ratios"), targets)
            .lines()
            .filter(line -> line.startsWith("| our job"))
            .toList();
    assertThat(ratioRows)
        .containsExactly(
            "| our job ÷ ceiling | 0.40 | 0.25–0.40 | 3 |",
            "| our job ÷ Flink SQL | 2.00 | 0.80–2.00 | 3 |");

    assertThat(markdown.substring(figures, plots))
        .contains("| ceiling | throughput | 1,000,000 | 800,000 | 1,250,000 | events/s | 3 |")
        .contains("| recovery | time to recover | 5 | 2 | 8 | s | 4 |")
        .contains("| sustained | online latency p99 | 42.5 | 38.1 | 61.3 | ms | 3 |");
    assertThat(markdown.substring(plots))
        .contains("![Throughput](2026-12-06T11-05-00Z-throughput.png)")
        .contains("![Online latency](2026-12-06T11-05-00Z-online-cdf.png)")
        .contains("- the SQL baseline reads behaviour events only")
        .contains("| cores | 2 |");
  }

  @Test
  void everyPlotIsAPngOfTheChartsSize() throws IOException {
    for (String name : List.of("throughput", "online-cdf")) {
      Path png = directory.resolve("2026-12-06T11-05-00Z-" + name + ".png");
      byte[] bytes = Files.readAllBytes(png);
      assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).isNotNull();
      assertThat(image.getWidth()).isEqualTo(BenchmarkReport.PLOT_WIDTH);
      assertThat(image.getHeight()).isEqualTo(BenchmarkReport.PLOT_HEIGHT);
    }
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNull(@TempDir Path elsewhere) throws IOException {
    Figure none = new Figure("idle", "throughput", "events/s", List.of(0.0));
    BenchmarkResults divisionByZero =
        new BenchmarkResults(
            "2026-12-06T12:00:00.5Z",
            "unknown",
            Map.of(),
            Map.of(),
            List.of(Ratio.of("job ÷ idle", JOB, none)),
            List.of(none),
            List.of(),
            List.of(),
            List.of());

    BenchmarkReport.write(divisionByZero, elsewhere);

    JsonNode ratio =
        new ObjectMapper()
            .readTree(elsewhere.resolve("2026-12-06T12-00-00Z.json").toFile())
            .get("ratios")
            .get(0);
    assertThat(ratio.get("perRun").get(0).isNull()).isTrue();
    assertThat(ratio.get("median").isNull()).isTrue();
  }

  @Test
  void numbersAreFormattedByUnit() {
    assertThat(BenchmarkReport.number(1_234_567.8, "events/s")).isEqualTo("1,234,568");
    assertThat(BenchmarkReport.number(512.4, "events/s")).isEqualTo("512");
    assertThat(BenchmarkReport.number(0.456, "×")).isEqualTo("0.46");
    assertThat(BenchmarkReport.number(123.456, "ms")).isEqualTo("123.5");
    assertThat(BenchmarkReport.number(1.23456, "ms")).isEqualTo("1.23");
    assertThat(BenchmarkReport.number(0.123456, "ms")).isEqualTo("0.123");
    assertThat(BenchmarkReport.number(Double.NaN, "ms")).isEqualTo("n/a");
  }

  @Test
  void summaryListsRatiosThenTargets() {
    String summary = BenchmarkReport.summary(RESULTS);

    assertThat(summary.indexOf("our job ÷ ceiling")).isLessThan(summary.indexOf("Targets"));
    assertThat(summary)
        .contains("our job ÷ ceiling    0.40  (0.25–0.40, 3 runs)")
        .containsPattern("not met +online p99 +61.3 ms \\(goal: at most 50 ms\\)")
        .containsPattern("not measured +catch-up +– \\(goal: at least 100,000 events/s\\)");
  }

  private static List<Double> numbers(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asDouble()));
    return values;
  }

  private static void assertFiniteNumbers(JsonNode node, String... fields) {
    for (String field : fields) {
      assertThat(node.get(field).isNumber()).as(field).isTrue();
      assertThat(Double.isFinite(node.get(field).asDouble())).as(field).isTrue();
    }
  }

  private static Plot throughputPlot() {
    double[] seconds = IntStream.range(0, 60).asDoubleStream().toArray();
    return new Plot(
        "throughput",
        "Throughput",
        "time (s)",
        "events/s",
        false,
        List.of(
            new Plot.Series("ceiling", seconds, constant(seconds.length, 1_000_000)),
            new Plot.Series("job-heap-delta", seconds, constant(seconds.length, 400_000))));
  }

  /** 10,000 samples (more than a chart draws) and a zero latency, which a log axis cannot show. */
  private static Plot latencyCdf() {
    int samples = 10_000;
    double[] latencyMs = IntStream.range(0, samples).mapToDouble(i -> i * 0.02).toArray();
    double[] fraction = IntStream.range(0, samples).mapToDouble(i -> (i + 1.0) / samples).toArray();
    return new Plot(
        "online-cdf",
        "Online latency",
        "latency (ms)",
        "fraction of rows",
        true,
        List.of(new Plot.Series("online", latencyMs, fraction)));
  }

  private static double[] constant(int length, double value) {
    double[] values = new double[length];
    Arrays.fill(values, value);
    return values;
  }
}
