package dev.freshet.contract;

import java.io.Serializable;

/**
 * One feature of a contract.
 *
 * @param field the numeric event field aggregated; null for {@code count}
 * @param filter the events that count for this feature; null for all events of the contract
 */
public record Feature(
    String name,
    FeatureType type,
    Aggregation aggregation,
    String field,
    Filter filter,
    Window window)
    implements Serializable {}
