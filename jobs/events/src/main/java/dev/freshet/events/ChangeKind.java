package dev.freshet.events;

import java.util.Locale;

/** What a true file change did, once the normalizer has merged and paired the raw observations. */
public enum ChangeKind {
  CREATE,
  /** A write that changed (mtime, size, content_hash), or the first write of an unseen file. */
  CONTENT_CHANGE,
  /** A write that left (mtime, size, content_hash) as last seen for the same file. */
  TOUCH,
  CHMOD,
  /** A moved_from and a moved_to paired by their cookie. */
  RENAME,
  REMOVE;

  /** The name contracts use in yaml and CEL, e.g. {@code content_change}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
