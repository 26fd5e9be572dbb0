package dev.freshet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes while a run crosses its measured span (20 % to 90 % of its input, start-up
 * left out): Java Flight Recorder's execution samples of this JVM, which holds the MiniCluster,
 * summed by the method on top of the stack (where time is spent) and by Freshet's own methods
 * anywhere on the stack (which of our steps it is spent under).
 */
final class CpuProfile implements MeasuredSpan, AutoCloseable {

  private static final String OURS = "dev.freshet.";
  private static final int SHOWN = 8;

  private final Recording recording;

  /** A recording with the JDK's "profile" settings, started when the measured span starts. */
  CpuProfile() throws IOException, ParseException {
    this.recording = new Recording(Configuration.getConfiguration("profile"));
  }

  /** The summary of a profiled span, one line per view. */
  record Summary(long samples, List<String> hottestMethods, List<String> hottestOfOurs) {}

  @Override
  public void started() {
    recording.start();
  }

  @Override
  public void ended() {
    recording.stop();
  }

  /** What the recording saw; nothing when the run never crossed its span. */
  Summary summary() throws IOException {
    if (recording.getState() != RecordingState.STOPPED) {
      return new Summary(0, List.of(), List.of());
    }
    Path file = Files.createTempFile("freshet-bench-", ".jfr");
    try {
      recording.dump(file);
      return summarize(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Override
  public void close() {
    recording.close();
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
