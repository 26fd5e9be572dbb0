package dev.freshet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes during one run: Java Flight Recorder's execution samples of this JVM, which
 * holds the MiniCluster, summed by the method on top of the stack (where time is spent) and by
 * Freshet's own methods anywhere on the stack (which of our steps it is spent under).
 */
final class CpuProfile {

  private static final String OURS = "dev.freshet.";
  private static final int SHOWN = 8;

  private CpuProfile() {}

  /** The summary of a profiled run, one line per view. */
  record Summary(long samples, List<String> hottestMethods, List<String> hottestOfOurs) {}

  /** Runs {@code run} under a recording with the JDK's "profile" settings. */
  static Summary of(Callable<?> run) throws Exception {
    Path file = Files.createTempFile("freshet-bench-", ".jfr");
    try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
      recording.start();
      run.call();
      recording.stop();
      recording.dump(file);
      return summarize(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static Summary summarize(Path file) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> oursInclusive = new HashMap<>();
    long samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")
          || event.getStackTrace() == null
          || event.getStackTrace().getFrames().isEmpty()) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      self.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
      Set<String> oursOnStack = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String method = name(frame.getMethod());
        if (method.startsWith(OURS)) {
          oursOnStack.add(method);
        }
      }
      oursOnStack.forEach(method -> oursInclusive.merge(method, 1L, Long::sum));
    }
    return new Summary(samples, top(self, samples), top(oursInclusive, samples));
  }

  private static List<String> top(Map<String, Long> counts, long samples) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(SHOWN)
        .map(e -> String.format("%s %.0f %%", e.getKey(), 100.0 * e.getValue() / samples))
        .toList();
  }

  /** Freshet's methods by their full name; others as {@code Type.method (package)}. */
  private static String name(RecordedMethod method) {
    String type = method.getType().getName();
    if (type.startsWith(OURS)) {
      return type + "." + method.getName();
    }
    int lastDot = type.lastIndexOf('.');
    return type.substring(lastDot + 1)
        + "."
        + method.getName()
        + (lastDot < 0 ? "" : " (" + type.substring(0, lastDot) + ")");
  }
}
