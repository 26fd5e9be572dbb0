package dev.freshet.job;

import dev.freshet.contract.Contract;
import java.io.Serializable;

/** The contract whose rows a sink writes under some table or feature view name, and its SLA. */
record FreshnessTarget(String contractId, long slaMillis) implements Serializable {

  static FreshnessTarget of(Contract contract) {
    return new FreshnessTarget(contract.id(), contract.freshnessSla().toMillis());
  }
}
