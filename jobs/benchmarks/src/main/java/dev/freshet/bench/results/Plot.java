package dev.freshet.bench.results;

import java.util.List;

/**
 * A chart of the results, drawn as a PNG beside the JSON.
 *
 * @param name names the file: {@code <date>-<name>.png}
 * @param title the chart's title
 * @param xAxis the x axis' title, with its unit
 * @param yAxis the y axis' title, with its unit
 * @param logarithmicX true for latency distributions, whose tails span orders of magnitude
 * @param series one line per scenario
 */
public record Plot(
    String name,
    String title,
    String xAxis,
    String yAxis,
    boolean logarithmicX,
    List<Series> series) {

  public Plot {
    series = List.copyOf(series);
  }

  /** One line of a plot: points (x[i], y[i]). */
  public record Series(String name, double[] x, double[] y) {
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            name + ": " + x.length + " x values but " + y.length + " y values");
      }
    }
  }
}
