package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.bench.freshness.LiveTraffic;
import dev.freshet.bench.freshness.ReadyTimes;
import dev.freshet.bench.results.Figure;
import dev.freshet.bench.results.Plot;
import dev.freshet.contract.Durations;
import dev.freshet.events.BehaviourEvent;
import dev.freshet.events.EventJson;
import dev.freshet.localflink.FlinkRestClient;
import dev.freshet.localflink.LocalFlinkCluster;
import dev.freshet.localstack.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Memory: our job on a local session cluster, its TaskManager in a process of its own, fed live
 * traffic at a constant rate over a fixed population of users, songs and hosts, with the probe
 * contracts under {@code memory-probe/}: every kind of tile and sketch, windows and TTL short
 * enough that the number of keys reaches its steady level within the warm-up.
 *
 * <ul>
 *   <li>soak: every sample interval the TaskManager's live heap is read after a full GC ({@code
 *       jcmd GC.class_histogram}), with the keys holding state per contract (the job's {@code
 *       stateKeys} gauge). After the warm-up (one TTL: keys that stopped coming have left) the
 *       heap's least-squares slope says whether it is flat;
 *   <li>expiry: then the traffic stops, and the harness waits for the keys to reach zero once every
 *       key's TTL has passed. The TTL counts in event time, so the watermark must move on: a clock,
 *       one search a second by a user no probe contract counts, moves it as the rest of a service's
 *       traffic would (the job runs with an idleness of {@value #IDLENESS_MS} ms, so the partitions
 *       the clock leaves quiet soon stop holding the watermark back).
 * </ul>
 *
 * @param soak how long the traffic runs, warm-up included
 * @param window the probe contracts' window; the hop is a fifth of it and the TTL twice it
 * @param sampleInterval how often the heap and the keys are read
 */
record MemoryScenario(Duration soak, Duration window, Duration sampleInterval) {

  static final String NAME = "memory";

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  /** The last line of {@code jcmd GC.class_histogram}: instances and bytes of every live object. */
  private static final Pattern HISTOGRAM_TOTAL =
      Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  private static final Pattern STATE_KEYS_METRIC =
      Pattern.compile("\\.contract\\.([^.]+)\\.stateKeys$");

  static final long IDLENESS_MS = 2_000;

  /** The clock's user; memory_probe_user's source filter leaves it out. */
  private static final String CLOCK_USER = "memory-clock";

  private static final List<String> PROBES =
      List.of("memory_probe_user", "memory_probe_song", "memory_probe_path");

  /**
   * One reading: minutes since the traffic started, the heap after a full GC, keys per contract.
   */
  record Sample(double minutes, double heapMegabytes, Map<String, Long> keys) {
    long totalKeys() {
      return keys.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * @param samples the soak's readings
   * @param warmUpMinutes readings before this are left out of the slope
   * @param heapMaxMegabytes the TaskManager's maximum heap
   * @param secondsToZeroKeys from the last event until no key held state; NaN if that never came
   * @param keysLeft keys holding state when the harness stopped waiting (zero if they all ended)
   * @param ttl the probe contracts' state TTL
   * @param rate events/s of the traffic
   */
  record Result(
      List<Sample> samples,
      double warmUpMinutes,
      double heapMaxMegabytes,
      double secondsToZeroKeys,
      long keysLeft,
      Duration ttl,
      double rate) {

    List<Sample> steady() {
      return samples.stream().filter(s -> s.minutes() >= warmUpMinutes).toList();
    }

    /** The heap's least-squares slope over the steady samples, in MB per 10 minutes. */
    double heapSlopePerTenMinutes() {
      List<Sample> steady = steady();
      int n = steady.size();
      if (n < 2) {
        return Double.NaN;
      }
      double meanX = steady.stream().mapToDouble(Sample::minutes).average().orElseThrow();
      double meanY = steady.stream().mapToDouble(Sample::heapMegabytes).average().orElseThrow();
      double covariance = 0;
      double variance = 0;
      for (Sample sample : steady) {
        covariance += (sample.minutes() - meanX) * (sample.heapMegabytes() - meanY);
        variance += (sample.minutes() - meanX) * (sample.minutes() - meanX);
      }
      return variance == 0 ? Double.NaN : covariance / variance * 10;
    }

    double heapSlopeShareOfMax() {
      return heapSlopePerTenMinutes() / heapMaxMegabytes * 100;
    }

    List<Figure> figures() {
      List<Sample> steady = steady();
      List<Figure> figures = new ArrayList<>();
      figures.add(new Figure(NAME, "input rate", "events/s", List.of(rate)));
      figures.add(
          new Figure(
              NAME,
              "steady part of the soak",
              "min",
              List.of(steady.isEmpty() ? 0 : last(steady).minutes() - steady.get(0).minutes())));
      figures.add(
          new Figure(
              NAME,
              "heap after full GC, steady samples",
              "MB",
              steady.stream().map(Sample::heapMegabytes).toList()));
      figures.add(
          new Figure(NAME, "heap slope", "MB per 10 min", List.of(heapSlopePerTenMinutes())));
      figures.add(
          new Figure(
              NAME, "heap slope ÷ max heap", "% per 10 min", List.of(heapSlopeShareOfMax())));
      figures.add(new Figure(NAME, "TaskManager max heap", "MB", List.of(heapMaxMegabytes)));
      figures.add(new Figure(NAME, "state TTL", "s", List.of(ttl.toMillis() / 1000.0)));
      figures.add(
          new Figure(
              NAME,
              "keys holding state, steady samples",
              "keys",
              steady.stream().map(s -> (double) s.totalKeys()).toList()));
      figures.add(
          new Figure(
              NAME,
              "keys left once every key's TTL passed without traffic",
              "keys",
              List.of((double) keysLeft)));
      figures.add(
          new Figure(NAME, "last event → no key holds state", "s", List.of(secondsToZeroKeys)));
      return figures;
    }

    List<Plot> plots() {
      double[] minutes = samples.stream().mapToDouble(Sample::minutes).toArray();
      Plot heap =
          new Plot(
              "memory-heap",
              "TaskManager heap after a full GC, constant traffic over a fixed population",
              "minutes since the traffic started",
              "MB",
              false,
              List.of(
                  new Plot.Series(
                      "heap after full GC",
                      minutes,
                      samples.stream().mapToDouble(Sample::heapMegabytes).toArray())));
      List<Plot.Series> keySeries = new ArrayList<>();
      TreeSet<String> contracts = new TreeSet<>();
      samples.forEach(s -> contracts.addAll(s.keys().keySet()));
      for (String contract : contracts) {
        keySeries.add(
            new Plot.Series(
                contract,
                minutes,
                samples.stream().mapToDouble(s -> s.keys().getOrDefault(contract, 0L)).toArray()));
      }
      Plot keys =
          new Plot(
              "memory-keys",
              "Keys holding state per contract, same run",
              "minutes since the traffic started",
              "keys",
              false,
              keySeries);
      return List.of(heap, keys);
    }

    private static Sample last(List<Sample> samples) {
      return samples.get(samples.size() - 1);
    }
  }

  Duration ttl() {
    return window.multipliedBy(2);
  }

  String description(double recordsPerSecond) {
    return String.format(
        "our job with the probe contracts %s (windows of %s, hop %s, state TTL %s), heap state,"
            + " Delta, on a local session cluster, fed live at %,.0f events/s for %s; the"
            + " TaskManager's heap read after a full GC every %s, the slope fitted after %s; then"
            + " the traffic stops and the keys holding state are watched until none is left",
        String.join(", ", PROBES),
        Durations.format(window),
        Durations.format(window.dividedBy(5)),
        Durations.format(ttl()),
        recordsPerSecond,
        Durations.format(soak),
        Durations.format(sampleInterval),
        Durations.format(ttl()));
  }

  Result run(BenchContext context, Path jobJar, double recordsPerSecond, PrintWriter out)
      throws Exception {
    Path directory = context.runDirectory(NAME, 0);
    String lineage = BenchContext.lineage(NAME, 0);
    Path contracts = writeProbeContracts(directory.resolve("contracts"));
    LiveTraffic traffic = LiveTraffic.createTopics(context.bootstrapServers(), lineage);
    String deadLetters = lineage + "-dead-letters";
    Topics.createIfMissing(
        context.bootstrapServers(), Map.of(deadLetters, 1), Duration.ofSeconds(60));
    List<Sample> samples = new ArrayList<>();
    LocalFlinkCluster cluster =
        LocalFlinkCluster.start(
            directory.resolve("cluster"),
            LocalFlinkCluster.Settings.defaults()
                .withRestPort(0)
                // The REST API's metrics would otherwise be up to 10 s old.
                .with("metrics.fetcher.update-interval", "1 s"));
    double rate;
    double heapMax;
    double secondsToZero = Double.NaN;
    long keysLeft;
    try {
      FlinkRestClient flink = new FlinkRestClient(cluster.restUri());
      List<String> arguments =
          SessionJob.arguments(
              context, contracts, traffic, lineage, deadLetters, directory.resolve("delta"), NAME);
      arguments.addAll(List.of("--idleness-ms", Long.toString(IDLENESS_MS)));
      String jobId = SessionJob.start(flink, jobJar, arguments, START_TIMEOUT);
      String aggregation = SessionJob.aggregationVertex(flink, jobId);
      long taskManager = cluster.taskManagerPid();
      heapMax = heapMaxMegabytes(flink);
      LiveTraffic.Producing producing =
          traffic.start(context.bootstrapServers(), recordsPerSecond, 7, new ReadyTimes(), 0, 0);
      long started = System.nanoTime();
      try {
        long next = started;
        while (System.nanoTime() - started < soak.toNanos()) {
          next += sampleInterval.toNanos();
          TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
          Sample sample =
              new Sample(
                  (System.nanoTime() - started) / 60e9,
                  heapAfterFullGc(taskManager),
                  stateKeys(flink, jobId, aggregation));
          samples.add(sample);
          out.printf(
              "  %-32s %4.1f min  heap after GC %,6.1f MB  keys %,d%n",
              NAME, sample.minutes(), sample.heapMegabytes(), sample.totalKeys());
          out.flush();
        }
      } finally {
        rate = producing.stop();
      }
      long stopped = System.nanoTime();
      long deadline =
          stopped + ttl().plus(ttl().dividedBy(8)).plus(Duration.ofSeconds(60)).toNanos();
      keysLeft = Long.MAX_VALUE;
      try (Clock clock = new Clock(context.bootstrapServers(), traffic.behaviourTopic())) {
        while (System.nanoTime() < deadline) {
          clock.tick();
          keysLeft =
              stateKeys(flink, jobId, aggregation).values().stream()
                  .mapToLong(Long::longValue)
                  .sum();
          if (keysLeft == 0) {
            secondsToZero = (System.nanoTime() - stopped) / 1e9;
            break;
          }
          Thread.sleep(1_000);
        }
      }
      out.printf(
          "  %-32s traffic stopped: %s%n",
          NAME,
          keysLeft == 0
              ? String.format("no key holds state after %.0f s", secondsToZero)
              : keysLeft + " keys still hold state");
      flink.cancel(jobId);
    } finally {
      cluster.stop();
    }
    return new Result(
        samples, ttl().toMillis() / 60_000.0, heapMax, secondsToZero, keysLeft, ttl(), rate);
  }

  /** Searches by {@link #CLOCK_USER} at the wall-clock time, on one partition. */
  private static final class Clock implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private long ticks;

    Clock(String bootstrapServers, String topic) {
      this.producer = LiveTraffic.producer(bootstrapServers);
      this.topic = topic;
    }

    void tick() throws Exception {
      BehaviourEvent search = new BehaviourEvent();
      search.eventId = CLOCK_USER + "-" + ticks++;
      search.userId = CLOCK_USER;
      search.action = "search";
      search.ts = System.currentTimeMillis();
      producer.send(new ProducerRecord<>(topic, 0, CLOCK_USER, EventJson.encode(search))).get();
    }

    @Override
    public void close() {
      producer.close();
    }
  }

  /** The probe contracts with this scenario's window, hop and TTL, in a directory of their own. */
  private Path writeProbeContracts(Path directory) throws IOException {
    Files.createDirectories(directory);
    for (String probe : PROBES) {
      String resource = "/memory-probe/" + probe + ".yaml";
      try (InputStream in = MemoryScenario.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + resource);
        }
        String text =
            new String(in.readAllBytes(), StandardCharsets.UTF_8)
                .replace("WINDOW", Durations.format(window))
                .replace("HOP", Durations.format(window.dividedBy(5)))
                .replace("TTL", Durations.format(ttl()));
        Files.writeString(directory.resolve(probe + ".yaml"), text);
      }
    }
    return directory;
  }

  private static double heapMaxMegabytes(FlinkRestClient flink) throws Exception {
    String id = flink.get("/taskmanagers").path("taskmanagers").path(0).path("id").asText();
    return flink.get("/taskmanagers/" + id).path("metrics").path("heapMax").asDouble() / 1e6;
  }

  /**
   * What the TaskManager's heap holds after a full GC, in MB: the class histogram runs a full GC
   * first and then counts every live object, in one pause, so nothing allocated after the GC
   * counts.
   */
  private static double heapAfterFullGc(long pid) throws IOException, InterruptedException {
    String histogram = jcmd(pid, "GC.class_histogram");
    Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
    if (!total.find()) {
      throw new IllegalStateException(
          "no total in jcmd GC.class_histogram: " + histogram.lines().limit(5).toList());
    }
    return Long.parseLong(total.group(1)) / 1e6;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed:\n" + output);
    }
    return output;
  }

  /** The job's {@code stateKeys} gauges, per contract, summed over subtasks. */
  private static Map<String, Long> stateKeys(FlinkRestClient flink, String jobId, String vertex)
      throws Exception {
    String path = "/jobs/" + jobId + "/vertices/" + vertex + "/metrics";
    List<String> ids = new ArrayList<>();
    for (JsonNode metric : flink.get(path)) {
      String id = metric.path("id").asText();
      if (STATE_KEYS_METRIC.matcher(id).find()) {
        ids.add(id);
      }
    }
    Map<String, Long> keys = new TreeMap<>();
    if (ids.isEmpty()) {
      return keys;
    }
    for (JsonNode metric :
        flink.get(
            path
                + "?get="
                + String.join(
                    ",",
                    ids.stream()
                        .map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8))
                        .toList()))) {
      Matcher contract = STATE_KEYS_METRIC.matcher(metric.path("id").asText());
      if (contract.find()) {
        keys.merge(contract.group(1), metric.path("value").asLong(), Long::sum);
      }
    }
    return keys;
  }
}
