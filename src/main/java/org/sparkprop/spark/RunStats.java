package org.sparkprop.spark;

/** Where the time of a distributed run went, and how it was laid out, for logs and benchmarks. */
public final class RunStats {
  /** Seconds from fit() to the first step: validating, packing, caching, scaling, grouping. */
  public double setupSeconds;
  public long jobs;
  public double wallSeconds;
  /** Per job, the mean over busy tasks of their compute seconds (forward, backward, local updates), summed. */
  public double taskComputeSeconds;
  /** Compute seconds of every task of every job, summed. */
  public double totalTaskSeconds;
  /** Rows the tasks trained on (each row once per epoch). */
  public long rowsTrained;
  /** Seconds the driver spent in optimizer updates and averaging. */
  public double driverSeconds;
  public double jobOverheadMs = Double.NaN;
  public int localSteps;
  public int partitions;
  public int replicas;
  public int slots;
  public String replicaReason = "";
  /** The mode that ran (spark.mode = auto resolved). */
  public String mode = "";
  /** allreduce: seconds the slowest rank spent in all-reduce calls, summed over stages. */
  public double collectiveSeconds;
  public long collectiveSteps;
  public long collectiveBytes;
  public double rendezvousSeconds;
  /** allreduce: links between neighbour ranks in the last stage, and how many shared memory. */
  public int collectiveLinks;
  public int sharedMemoryLinks;
  /** The BLAS of the driver and of each executor that holds training data (null before a fit). */
  public BlasCensus blas;

  void reset() {
    setupSeconds = 0;
    jobs = 0;
    wallSeconds = 0;
    taskComputeSeconds = 0;
    totalTaskSeconds = 0;
    rowsTrained = 0;
    driverSeconds = 0;
    jobOverheadMs = Double.NaN;
    localSteps = 0;
    partitions = 0;
    replicas = 0;
    slots = 0;
    replicaReason = "";
    mode = "";
    collectiveSeconds = 0;
    collectiveSteps = 0;
    collectiveBytes = 0;
    rendezvousSeconds = 0;
    collectiveLinks = 0;
    sharedMemoryLinks = 0;
    blas = null;
  }

  /** Share of wall time outside forward/backward/update: Spark's share. */
  public double outsideComputeFraction() {
    return wallSeconds <= 0 ? Double.NaN
        : Math.max(0, 1 - (taskComputeSeconds + driverSeconds) / wallSeconds);
  }

  /** Task compute seconds per training row (forward, backward and local updates of one row). */
  public double computeSecondsPerRow() {
    return rowsTrained <= 0 ? Double.NaN : totalTaskSeconds / rowsTrained;
  }
}
