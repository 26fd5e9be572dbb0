package dev.freshet.delta.internal;

import dev.freshet.delta.DeltaCommitListener;

/** The listener a sink has when none is configured. */
public enum NoOpCommitListener implements DeltaCommitListener {
  INSTANCE
}
