package dev.freshet.events;

import java.util.List;

/**
 * A generated file-watch trace and the true changes behind it.
 *
 * @param observations FILE records keyed by host, in the order they arrive
 * @param truth what a correct normalizer emits for them, in event-time order
 */
public record FileTrace(List<GeneratedRecord> observations, List<FileChange> truth) {

  public FileTrace {
    observations = List.copyOf(observations);
    truth = List.copyOf(truth);
  }
}
