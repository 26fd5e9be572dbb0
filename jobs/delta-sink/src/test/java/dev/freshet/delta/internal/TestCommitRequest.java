package dev.freshet.delta.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;

/** A commit request that remembers how the committer answered it. */
final class TestCommitRequest implements CommitRequest<DeltaCommittable> {

  enum Outcome {
    COMMITTED,
    ALREADY_COMMITTED,
    RETRY_LATER,
    FAILED
  }

  private final DeltaCommittable committable;
  private Outcome outcome = Outcome.COMMITTED;

  private TestCommitRequest(DeltaCommittable committable) {
    this.committable = committable;
  }

  static List<TestCommitRequest> requestsFor(Collection<DeltaCommittable> committables) {
    List<TestCommitRequest> requests = new ArrayList<>();
    committables.forEach(committable -> requests.add(new TestCommitRequest(committable)));
    return requests;
  }

  Outcome outcome() {
    return outcome;
  }

  @Override
  public DeltaCommittable getCommittable() {
    return committable;
  }

  @Override
  public int getNumberOfRetries() {
    return 0;
  }

  @Override
  public void signalFailedWithKnownReason(Throwable t) {
    outcome = Outcome.FAILED;
  }

  @Override
  public void signalFailedWithUnknownReason(Throwable t) {
    outcome = Outcome.FAILED;
  }

  @Override
  public void retryLater() {
    outcome = Outcome.RETRY_LATER;
  }

  @Override
  public void updateAndRetryLater(DeltaCommittable committable) {
    outcome = Outcome.RETRY_LATER;
  }

  @Override
  public void signalAlreadyCommitted() {
    outcome = Outcome.ALREADY_COMMITTED;
  }
}
