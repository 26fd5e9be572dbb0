package dev.freshet.online;

/** {@link OnlineWriteListener#NONE}; an enum, so that deserializing it yields the same instance. */
enum NoWriteListener implements OnlineWriteListener {
  INSTANCE
}
