package dev.freshet.contract;

import java.io.Serializable;

/**
 * One field of an entity's key. A key field that is a list in the events (such as {@code tags})
 * makes each element its own entity: an event tagged rock and jazz counts for both.
 */
public record EntityKey(String field, KeyType type) implements Serializable {}
