package org.sparkprop.spark;

import java.util.Locale;

/** How the replicas' work is synchronised; see {@link DistributedTrainer}. */
public enum SyncMode {
  /** One Spark job per step: exact global mini-batch SGD, as one machine would do it. */
  SYNC,
  /** One Spark job per round of H local steps; the driver averages the models (local SGD). */
  LOCAL_SGD,
  /**
   * One barrier stage per epoch (or spark.stageSteps steps) whose tasks all-reduce every step's
   * gradient among themselves: the steps of {@code sync}, without a Spark job each.
   */
  ALLREDUCE,
  /**
   * Chosen when the replicas are known ({@link #resolve}): allreduce from two replicas, which
   * reached a given accuracy sooner than local SGD at 2 and 8 partitions, on local[2] and on a
   * loopback cluster (README, docs/scaling.md); local SGD where a barrier stage cannot run or
   * the user asked for local-SGD settings.
   */
  AUTO;

  /** The replicas from which {@link #AUTO} all-reduces instead of averaging. */
  public static final int ALLREDUCE_FROM_REPLICAS = 2;

  /**
   * The mode to run: this one, or for {@link #AUTO} the measured best for {@code replicas}
   * ({@code allreduce} needs every replica running at once and no dynamic allocation).
   *
   * @param localSgdSettings the user set something only local SGD uses (its period, outer
   *     optimizer or synchronous first epochs): auto then means local SGD
   */
  public SyncMode resolve(int replicas, int slots, boolean dynamicAllocation,
                          boolean localSgdSettings) {
    if (this != AUTO) {
      return this;
    }
    return replicas >= ALLREDUCE_FROM_REPLICAS && replicas <= slots && !dynamicAllocation
        && !localSgdSettings ? ALLREDUCE : LOCAL_SGD;
  }

  public static SyncMode parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "_")) {
      case "sync", "synchronous" -> SYNC;
      case "local_sgd", "localsgd" -> LOCAL_SGD;
      case "allreduce", "all_reduce" -> ALLREDUCE;
      case "auto" -> AUTO;
      default -> throw new IllegalArgumentException("sync mode must be 'auto', 'sync', 'local_sgd' "
          + "or 'allreduce', got '" + s + "'");
    };
  }

  /** True for the modes whose every step is one global mini-batch step (sync, allreduce). */
  public boolean synchronous() {
    return this == SYNC || this == ALLREDUCE;
  }

  public String configName() {
    return switch (this) {
      case SYNC -> "sync";
      case LOCAL_SGD -> "local_sgd";
      case ALLREDUCE -> "allreduce";
      case AUTO -> "auto";
    };
  }
}
