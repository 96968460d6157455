package org.sparkprop.spark;

import java.util.Locale;

/** How the partitions' work is synchronised; see {@link DistributedTrainer}. */
public enum SyncMode {
  /** One Spark job per step: exact global mini-batch SGD, as one machine would do it. */
  SYNC,
  /** One Spark job per round of H local steps; the driver averages the models (local SGD). */
  LOCAL_SGD;

  public static SyncMode parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "_")) {
      case "sync", "synchronous" -> SYNC;
      case "local_sgd", "localsgd" -> LOCAL_SGD;
      default -> throw new IllegalArgumentException("sync mode must be 'sync' or 'local_sgd', got '" + s + "'");
    };
  }

  public String configName() {
    return this == SYNC ? "sync" : "local_sgd";
  }
}
