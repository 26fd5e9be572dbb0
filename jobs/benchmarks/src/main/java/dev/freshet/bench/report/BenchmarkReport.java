package dev.freshet.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.bench.results.BenchmarkResults;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.bench.results.Ratio;
import dev.freshet.bench.results.Target;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the results of one harness run as {@code <date>.json}, a markdown report {@code <date>.md}
 * and one {@code <date>-<plot>.png} per plot, and renders the summary the harness prints at the
 * end. Ratios come first everywhere: they are the figures a noisy machine distorts least.
 *
 * <p>JSON has no NaN or infinity, so a non-finite number is written as {@code null}.
 */
public final class BenchmarkReport {

  static final int PLOT_WIDTH = 900;
  static final int PLOT_HEIGHT = 450;

  /** More points add nothing visible at this width, and garble XChart's tick labels on CDFs. */
  private static final int MAX_POINTS_PER_SERIES = 200;

  private static final Set<String> RATIO_UNITS = Set.of("", "×", "x", "ratio");
  private static final DateTimeFormatter FILE_NAME_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The report only draws into images; with a DISPLAY set, AWT would otherwise connect to it
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private BenchmarkReport() {}

  /** The results' start time as a file name, e.g. {@code 2026-12-06T11-05-00Z}. */
  public static String baseName(BenchmarkResults results) {
    return FILE_NAME_TIME.format(Instant.parse(results.startedAt()));
  }

  /**
   * Writes the JSON, the markdown and the plots into {@code directory}, creating it if needed.
   *
   * @return the files written: the JSON, the markdown, then one PNG per plot
   */
  public static List<Path> write(BenchmarkResults results, Path directory) throws IOException {
    Files.createDirectories(directory);
    String base = baseName(results);
    List<String> plotFiles = new ArrayList<>();
    for (Plot plot : results.plots()) {
      String fileName = base + "-" + plot.name().replaceAll("[^A-Za-z0-9._-]", "-") + ".png";
      if (plotFiles.contains(fileName)) {
        throw new IllegalArgumentException("two plots would both be written to " + fileName);
      }
      try (OutputStream out = Files.newOutputStream(directory.resolve(fileName))) {
        ChartEncoder.saveChart(chart(plot), out, "png");
      }
      plotFiles.add(fileName);
    }
    Path json = directory.resolve(base + ".json");
    Files.writeString(
        json,
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(results, plotFiles)) + "\n");
    Path markdown = directory.resolve(base + ".md");
    Files.writeString(markdown, markdown(results, plotFiles));

    List<Path> written = new ArrayList<>(List.of(json, markdown));
    plotFiles.forEach(fileName -> written.add(directory.resolve(fileName)));
    return written;
  }

  /** The text the harness prints at the end: ratios, then targets, one line each. */
  public static String summary(BenchmarkResults results) {
    StringBuilder text = new StringBuilder("Ratios (median, min–max over runs):\n");
    int ratioWidth = widest(results.ratios().stream().map(Ratio::name).toList());
    for (Ratio ratio : results.ratios()) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %-" + ratioWidth + "s  %s  (%s–%s, %d runs)\n",
              ratio.name(),
              ratio(ratio.median()),
              ratio(ratio.min()),
              ratio(ratio.max()),
              ratio.perRun().size()));
    }
    text.append("Targets:\n");
    int targetWidth = widest(results.targets().stream().map(Target::name).toList());
    for (Target target : results.targets()) {
      text.append(
          String.format(
              Locale.ROOT,
              "  %-12s  %-" + targetWidth + "s  %s (goal: %s)\n",
              status(target.status()),
              target.name(),
              measured(target),
              target.goal()));
    }
    return text.toString();
  }

  private static ObjectNode json(BenchmarkResults results, List<String> plotFiles) {
    ObjectNode root = JSON.createObjectNode();
    root.put("startedAt", results.startedAt());
    root.put("gitCommit", results.gitCommit());
    root.set("machine", JSON.valueToTree(results.machine()));
    root.set("settings", JSON.valueToTree(results.settings()));
    ArrayNode ratios = root.putArray("ratios");
    for (Ratio ratio : results.ratios()) {
      ObjectNode node = ratios.addObject();
      node.put("name", ratio.name());
      node.set("numerator", figureId(ratio.numerator()));
      node.set("denominator", figureId(ratio.denominator()));
      ArrayNode perRun = node.putArray("perRun");
      ratio.perRun().forEach(quotient -> perRun.add(finiteOrNull(quotient)));
      node.put("median", finiteOrNull(ratio.median()));
      node.put("min", finiteOrNull(ratio.min()));
      node.put("max", finiteOrNull(ratio.max()));
    }
    ArrayNode targets = root.putArray("targets");
    for (Target target : results.targets()) {
      ObjectNode node = targets.addObject();
      node.put("name", target.name());
      node.put("goal", target.goal());
      node.put("bound", finiteOrNull(target.bound()));
      node.put("upper", target.upper());
      node.put("measured", target.measured() == null ? null : finiteOrNull(target.measured()));
      node.put("unit", target.unit());
      node.put("status", target.status().name());
    }
    ArrayNode figures = root.putArray("figures");
    for (Figure figure : results.figures()) {
      ObjectNode node = figureId(figure);
      node.put("unit", figure.unit());
      ArrayNode runs = node.putArray("runs");
      figure.runs().forEach(run -> runs.add(finiteOrNull(run)));
      node.put("median", finiteOrNull(figure.median()));
      node.put("min", finiteOrNull(figure.min()));
      node.put("max", finiteOrNull(figure.max()));
      figures.add(node);
    }
    plotFiles.forEach(root.putArray("plots")::add);
    results.notes().forEach(root.putArray("notes")::add);
    return root;
  }

  private static ObjectNode figureId(Figure figure) {
    ObjectNode id = JSON.createObjectNode();
    id.put("scenario", figure.scenario());
    id.put("metric", figure.metric());
    return id;
  }

  private static Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static String markdown(BenchmarkResults results, List<String> plotFiles) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results, ").append(results.startedAt()).append("\n\n");
    md.append("Commit `").append(results.gitCommit()).append("`.\n\n");

    md.append("## Ratios\n\n");
    md.append("Run i of the numerator divided by run i of the denominator.\n\n");
    md.append("| ratio | median | min–max | runs |\n|---|---:|---:|---:|\n");
    for (Ratio ratio : results.ratios()) {
      row(
          md,
          ratio.name(),
          ratio(ratio.median()),
          ratio(ratio.min()) + "–" + ratio(ratio.max()),
          String.valueOf(ratio.perRun().size()));
    }

    md.append("\n## Targets\n\n");
    md.append("| target | goal | measured | status |\n|---|---|---:|---|\n");
    for (Target target : results.targets()) {
      row(md, target.name(), target.goal(), measured(target), status(target.status()));
    }

    md.append("\n## Figures\n\n");
    md.append("| scenario | metric | median | min | max | unit | runs |\n");
    md.append("|---|---|---:|---:|---:|---|---:|\n");
    for (Figure figure : results.figures()) {
      row(
          md,
          figure.scenario(),
          figure.metric(),
          number(figure.median(), figure.unit()),
          number(figure.min(), figure.unit()),
          number(figure.max(), figure.unit()),
          figure.unit(),
          String.valueOf(figure.runs().size()));
    }
    md.append('\n');

    if (!plotFiles.isEmpty()) {
      md.append("## Plots\n\n");
      for (int i = 0; i < plotFiles.size(); i++) {
        String title = results.plots().get(i).title();
        md.append("![").append(title).append("](").append(plotFiles.get(i)).append(")\n\n");
      }
    }
    if (!results.notes().isEmpty()) {
      md.append("## Notes\n\n");
      results.notes().forEach(note -> md.append("- ").append(note).append('\n'));
      md.append('\n');
    }
    keyValueTable(md, "Machine", results.machine());
    keyValueTable(md, "Settings", results.settings());
    return md.toString().stripTrailing() + "\n";
  }

  private static void keyValueTable(StringBuilder md, String heading, Map<String, String> entries) {
    md.append("## ").append(heading).append("\n\n| property | value |\n|---|---|\n");
    entries.forEach((key, value) -> row(md, key, value));
    md.append('\n');
  }

  private static void row(StringBuilder md, String... cells) {
    md.append('|');
    for (String cell : cells) {
      md.append(' ')
          .append(cell == null ? "" : cell.replace("|", "\\|").replace('\n', ' '))
          .append(" |");
    }
    md.append('\n');
  }

  private static String measured(Target target) {
    return target.status() == Target.Status.NOT_MEASURED
        ? "–"
        : (number(target.measured(), target.unit()) + " " + target.unit()).strip();
  }

  private static String status(Target.Status status) {
    return status.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String ratio(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "n/a";
  }

  /**
   * Events/s, whole numbers and anything from 1,000 up with thousands separators and no decimals;
   * ratios with two decimals; anything else with one to three by magnitude (12.3 ms, 1.23 ms, 0.123
   * ms).
   */
  static String number(double value, String unit) {
    String normalizedUnit = unit == null ? "" : unit.strip();
    if (!Double.isFinite(value)) {
      return "n/a";
    }
    if (RATIO_UNITS.contains(normalizedUnit)) {
      return ratio(value);
    }
    double magnitude = Math.abs(value);
    String pattern;
    if (normalizedUnit.startsWith("events/") || magnitude >= 1000 || value == Math.rint(value)) {
      pattern = "%,.0f";
    } else if (magnitude >= 10) {
      pattern = "%.1f";
    } else if (magnitude >= 1) {
      pattern = "%.2f";
    } else {
      pattern = "%.3f";
    }
    return String.format(Locale.ROOT, pattern, value);
  }

  private static int widest(List<String> names) {
    return Math.max(1, names.stream().mapToInt(String::length).max().orElse(1));
  }

  private static XYChart chart(Plot plot) {
    XYChart chart =
        new XYChartBuilder()
            .width(PLOT_WIDTH)
            .height(PLOT_HEIGHT)
            .title(plot.title())
            .xAxisTitle(plot.xAxis())
            .yAxisTitle(plot.yAxis())
            .build();
    chart.getStyler().setXAxisLogarithmic(plot.logarithmicX());
    double largestY = 0;
    double smallestY = 0;
    for (Plot.Series series : plot.series()) {
      double[][] points = drawable(series, plot.logarithmicX());
      if (points[0].length == 0) {
        continue;
      }
      chart.addSeries(series.name(), points[0], points[1]).setMarker(SeriesMarkers.NONE);
      largestY = Math.max(largestY, Arrays.stream(points[1]).max().orElseThrow());
      smallestY = Math.min(smallestY, Arrays.stream(points[1]).min().orElseThrow());
    }
    // From zero, so the gap between two lines shows their real ratio; fractions (CDFs) get a fixed
    // 0–1 axis, and large values (events/s) thousands separators
    if (smallestY >= 0) {
      chart.getStyler().setYAxisMin(0.0);
    }
    if (smallestY >= 0 && largestY <= 1 && largestY > 0) {
      chart.getStyler().setYAxisMax(1.0);
      chart.getStyler().setYAxisDecimalPattern("0.00");
    } else if (Math.max(largestY, -smallestY) >= 1000) {
      chart.getStyler().setYAxisDecimalPattern("#,###");
    }
    return chart;
  }

  /**
   * The points XChart can draw (finite, and x > 0 on a log axis, which cannot show zero), evenly
   * thinned to at most {@link #MAX_POINTS_PER_SERIES} keeping the first and the last.
   */
  private static double[][] drawable(Plot.Series series, boolean logarithmicX) {
    int[] kept =
        IntStream.range(0, series.x().length)
            .filter(i -> Double.isFinite(series.x()[i]) && Double.isFinite(series.y()[i]))
            .filter(i -> !logarithmicX || series.x()[i] > 0)
            .toArray();
    int count = Math.min(kept.length, MAX_POINTS_PER_SERIES);
    double[] x = new double[count];
    double[] y = new double[count];
    for (int i = 0; i < count; i++) {
      int source =
          count == 1 ? kept[0] : kept[(int) Math.round(i * (kept.length - 1.0) / (count - 1))];
      x[i] = series.x()[source];
      y[i] = series.y()[source];
    }
    return new double[][] {x, y};
  }
}
