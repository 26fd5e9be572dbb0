package dev.freshet.events;

import java.util.Objects;

/**
 * One true change of one file, as the normalizer emits it. A file is (host, device, inode,
 * generation): a new generation of a reused inode is a new file.
 *
 * @param path the file's path after the change (the new path of a rename)
 * @param oldPath the path before a rename; null for every other kind
 * @param ts event time of the change: the smallest ts of the observations that make it up
 * @param deduplicated true when both inotify and poll reported the change
 * @param seenByPollOnly true when only the poll channel reported the change
 */
public record FileChange(
    String host,
    long device,
    long inode,
    long generation,
    ChangeKind kind,
    String path,
    String oldPath,
    long ts,
    boolean deduplicated,
    boolean seenByPollOnly) {

  public FileChange {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    if ((kind == ChangeKind.RENAME) != (oldPath != null)) {
      throw new IllegalArgumentException(
          "oldPath must be set for a rename and only for a rename, got "
              + kind.yamlName()
              + " with oldPath "
              + oldPath);
    }
    if (deduplicated && seenByPollOnly) {
      throw new IllegalArgumentException(
          "a change reported by both channels was not seen by poll only: " + path);
    }
  }

  /** Parent directory of {@link #path}, by the rule of {@link FileEvent#directory()}. */
  public String directory() {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }
}
