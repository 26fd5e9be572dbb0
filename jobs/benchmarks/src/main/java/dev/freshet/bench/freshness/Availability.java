package dev.freshet.bench.freshness;

import dev.freshet.delta.DeltaCommit;
import dev.freshet.delta.DeltaCommitListener;
import dev.freshet.online.OnlineWriteListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each feature row became available, row by row: Redis acknowledgements and Delta commits, as
 * the job's sinks report them. The sinks' listeners are serialized into the job and run in copies
 * of their own, so they find their run's record here, in this JVM, by its name; that is why only a
 * MiniCluster job can report here.
 */
public final class Availability {

  private static final Map<String, Availability> RUNS = new ConcurrentHashMap<>();

  /** Rows made available: feature time, time available, and how many rows. */
  private final List<long[]> online = new ArrayList<>();

  private final List<long[]> offline = new ArrayList<>();

  private Availability() {}

  /** Starts recording for the run named {@code run}. */
  public static Availability start(String run) {
    Availability availability = new Availability();
    if (RUNS.putIfAbsent(run, availability) != null) {
      throw new IllegalStateException("run " + run + " is already recording");
    }
    return availability;
  }

  /** Stops recording for {@code run}; what its listeners report from now on is dropped. */
  public static void stop(String run) {
    RUNS.remove(run);
  }

  /** Hears the online sink's acknowledgements for {@code run}. */
  public static OnlineWriteListener onlineListener(String run) {
    return new OnlineAcknowledgements(run);
  }

  /** Hears the Delta sink's commits for {@code run}. */
  public static DeltaCommitListener offlineListener(String run) {
    return new DeltaCommits(run);
  }

  /** Feature time, acknowledgement time and 1, for each row Redis acknowledged. */
  public synchronized List<long[]> online() {
    return List.copyOf(online);
  }

  /** Feature time, commit time and row count, for each feature time of each Delta commit. */
  public synchronized List<long[]> offline() {
    return List.copyOf(offline);
  }

  private synchronized void addOnline(long featureTime, long availableAt) {
    online.add(new long[] {featureTime, availableAt, 1});
  }

  private synchronized void addOffline(long featureTime, long availableAt, long rows) {
    offline.add(new long[] {featureTime, availableAt, rows});
  }

  private static final class OnlineAcknowledgements implements OnlineWriteListener {
    private static final long serialVersionUID = 1L;
    private final String run;

    OnlineAcknowledgements(String run) {
      this.run = run;
    }

    @Override
    public void written(String featureView, long eventTimeMillis, long acknowledgedAtMillis) {
      Availability availability = RUNS.get(run);
      if (availability != null) {
        availability.addOnline(eventTimeMillis, acknowledgedAtMillis);
      }
    }
  }

  private static final class DeltaCommits implements DeltaCommitListener {
    private static final long serialVersionUID = 1L;
    private final String run;

    DeltaCommits(String run) {
      this.run = run;
    }

    @Override
    public void afterCommit(DeltaCommit commit) {
      Availability availability = RUNS.get(run);
      if (availability != null) {
        commit
            .rowsByEventTime()
            .forEach(
                (featureTime, rows) ->
                    availability.addOffline(featureTime, commit.committedAtMillis(), rows));
      }
    }
  }
}
