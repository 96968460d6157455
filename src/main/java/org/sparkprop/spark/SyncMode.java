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
  ALLREDUCE;

  public static SyncMode parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "_")) {
      case "sync", "synchronous" -> SYNC;
      case "local_sgd", "localsgd" -> LOCAL_SGD;
      case "allreduce", "all_reduce" -> ALLREDUCE;
      default -> throw new IllegalArgumentException("sync mode must be 'sync', 'local_sgd' or "
          + "'allreduce', got '" + s + "'");
    };
  }

  /** True for the modes whose every step is one global mini-batch step (sync, allreduce). */
  public boolean synchronous() {
    return this != LOCAL_SGD;
  }

  public String configName() {
    return switch (this) {
      case SYNC -> "sync";
      case LOCAL_SGD -> "local_sgd";
      case ALLREDUCE -> "allreduce";
    };
  }
}
