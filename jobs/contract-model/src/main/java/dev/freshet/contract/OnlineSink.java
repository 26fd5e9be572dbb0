package dev.freshet.contract;

import java.io.Serializable;
import java.time.Duration;

/**
 * Whether and how a contract's latest values are served online, as a Feast feature view.
 *
 * @param onlineTtl when the online store expires an entity's row (physical expiry)
 * @param servingMaxAge values older than this are served as missing (Feast's feature view ttl)
 */
public record OnlineSink(
    boolean enabled,
    String feastProject,
    String featureView,
    Duration onlineTtl,
    Duration servingMaxAge)
    implements Serializable {

  public static final OnlineSink DISABLED = new OnlineSink(false, null, null, null, null);
}
