package dev.freshet.contract;

import java.io.Serializable;

/**
 * What a contract's features describe.
 *
 * @param name the entity's name, e.g. {@code user}
 * @param keyField the event field whose value identifies the entity, e.g. {@code user_id}
 */
public record Entity(String name, String keyField) implements Serializable {}
