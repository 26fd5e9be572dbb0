package dev.freshet.events;

/**
 * One record as a producer would send it.
 *
 * @param key the Kafka record key (user or host), so one entity's events stay in order
 * @param malformed true when the generator broke the record on purpose
 */
public record GeneratedRecord(EventStream stream, String key, byte[] value, boolean malformed) {}
