package dev.freshet.contract;

import java.io.Serializable;

/**
 * One value a contract outputs per entity: a feature or a derived feature, by name and type. A
 * contract's values, in {@link Contract#valueColumns()} order, are the value columns of its offline
 * table and the features of its online feature view.
 */
public record ValueColumn(String name, FeatureType type) implements Serializable {}
