package dev.freshet.contract;

import java.io.Serializable;

/**
 * A feature computed from the other features of its contract each time the contract's row is
 * written, e.g. a share of two counts. No state of its own.
 *
 * @param expression CEL over the contract's aggregated features, by name
 */
public record DerivedFeature(String name, FeatureType type, String expression)
    implements Serializable {}
