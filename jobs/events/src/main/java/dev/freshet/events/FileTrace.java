package dev.freshet.events;

import java.util.List;

/**
 * A generated file-watch trace and the true changes behind it.
 *
 * @param observations FILE records keyed by host, in the order they arrive
 * @param truth the normalized changes a correct normalizer emits for them, in event-time order
 */
public record FileTrace(List<GeneratedRecord> observations, List<FileEvent> truth) {

  public FileTrace {
    observations = List.copyOf(observations);
    truth = List.copyOf(truth);
  }
}
