package org.sparkprop.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.Optimizers;

/**
 * How the engine's training ({@link org.sparkprop.train.TrainConfig}) is distributed over Spark.
 *
 * @param mode sync (one job per step) or local_sgd (one job per round of H local steps)
 * @param localSteps H, the local steps per round; 0 = chosen from the measured job overhead so that
 *     Spark's fixed cost stays below {@code overheadTarget} of each job
 * @param overheadTarget the largest share of a job's time Spark's fixed cost may take when H is
 *     chosen automatically (0.1)
 * @param outerOptimizer what the driver applies to the averaged model delta in local SGD: "average"
 *     (plain model averaging), "momentum", "nesterov" or "adam"; the pseudo-gradient is
 *     w_round_start − mean(w_local)
 * @param outerLearningRate the outer optimizer's rate (1 with "average": the mean model)
 * @param outerMomentum the outer momentum (momentum, nesterov)
 * @param partitions number of partitions of the training data; 0 = the executor cores
 * @param aggregationDepth depth of treeAggregate (2, as MLlib's default)
 * @param orderedAggregation sum partition results in partition order on the driver (bit-reproducible
 *     for any partition count) instead of treeAggregate's completion order
 * @param lrScaling "none" or "linear": scale the learning rate by batchSize / referenceBatch
 *     (Goyal et al. 2017), for large synchronous batches
 * @param referenceBatch the batch size the base learning rate was tuned for
 * @param checkpointDir a Hadoop file-system path for checkpoints; empty = none
 * @param checkpointEvery write a checkpoint every this many jobs (and at every epoch's end)
 * @param keepLast checkpoints kept
 * @param overwrite allow a fresh run to delete checkpoints already in checkpointDir
 */
public record SparkTrainConfig(SyncMode mode, int localSteps, double overheadTarget,
                               String outerOptimizer, double outerLearningRate, double outerMomentum,
                               int partitions, int aggregationDepth, boolean orderedAggregation,
                               String lrScaling, int referenceBatch, String checkpointDir,
                               int checkpointEvery, int keepLast, boolean overwrite) {

  public SparkTrainConfig {
    outerOptimizer = outerOptimizer.trim().toLowerCase(Locale.ROOT);
    lrScaling = lrScaling.trim().toLowerCase(Locale.ROOT);
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps must be >= 0 (0 = automatic), got " + localSteps);
    }
    if (!(overheadTarget > 0 && overheadTarget < 1)) {
      throw new IllegalArgumentException("overheadTarget must be in (0, 1), got " + overheadTarget);
    }
    buildOuter(outerOptimizer, outerMomentum);
    if (!(outerLearningRate > 0)) {
      throw new IllegalArgumentException("outerLearningRate must be > 0, got " + outerLearningRate);
    }
    if (partitions < 0 || aggregationDepth < 1 || referenceBatch < 1 || checkpointEvery < 1 || keepLast < 1) {
      throw new IllegalArgumentException("partitions >= 0, aggregationDepth >= 1, referenceBatch >= 1, "
          + "checkpointEvery >= 1 and keepLast >= 1 are required");
    }
    if (!lrScaling.equals("none") && !lrScaling.equals("linear")) {
      throw new IllegalArgumentException("lrScaling must be 'none' or 'linear', got '" + lrScaling + "'");
    }
    checkpointDir = checkpointDir == null ? "" : checkpointDir;
  }

  /** The defaults: local SGD with automatic H and plain averaging. */
  public static SparkTrainConfig defaults() {
    return new SparkTrainConfig(SyncMode.LOCAL_SGD, 0, 0.1, "average", 1.0, 0.9, 0, 2, false,
        "none", 128, "", 50, 2, false);
  }

  public Optimizer buildOuterOptimizer() {
    return buildOuter(outerOptimizer, outerMomentum);
  }

  private static Optimizer buildOuter(String name, double momentum) {
    return switch (name) {
      case "average" -> new org.sparkprop.optim.Sgd();
      case "momentum", "nesterov" -> Optimizers.create(name, Map.of("momentum", momentum));
      case "adam" -> Optimizers.create("adam", Map.of());
      default -> throw new IllegalArgumentException("outerOptimizer must be average, momentum, "
          + "nesterov or adam, got '" + name + "'");
    };
  }

  public SparkTrainConfig withMode(SyncMode m) {
    return new SparkTrainConfig(m, localSteps, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, partitions, aggregationDepth, orderedAggregation, lrScaling, referenceBatch,
        checkpointDir, checkpointEvery, keepLast, overwrite);
  }

  public SparkTrainConfig withLocalSteps(int h) {
    return new SparkTrainConfig(mode, h, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, partitions, aggregationDepth, orderedAggregation, lrScaling, referenceBatch,
        checkpointDir, checkpointEvery, keepLast, overwrite);
  }

  public SparkTrainConfig withCheckpoints(String dir, int every, boolean overwrite) {
    return new SparkTrainConfig(mode, localSteps, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, partitions, aggregationDepth, orderedAggregation, lrScaling, referenceBatch,
        dir, every, keepLast, overwrite);
  }

  public SparkTrainConfig withPartitions(int p) {
    return new SparkTrainConfig(mode, localSteps, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, p, aggregationDepth, orderedAggregation, lrScaling, referenceBatch,
        checkpointDir, checkpointEvery, keepLast, overwrite);
  }

  public SparkTrainConfig withOuter(String optimizer, double lr, double momentum) {
    return new SparkTrainConfig(mode, localSteps, overheadTarget, optimizer, lr, momentum,
        partitions, aggregationDepth, orderedAggregation, lrScaling, referenceBatch, checkpointDir,
        checkpointEvery, keepLast, overwrite);
  }

  public SparkTrainConfig withOrderedAggregation(boolean ordered) {
    return new SparkTrainConfig(mode, localSteps, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, partitions, aggregationDepth, ordered, lrScaling, referenceBatch,
        checkpointDir, checkpointEvery, keepLast, overwrite);
  }

  public SparkTrainConfig withLrScaling(String scaling, int reference) {
    return new SparkTrainConfig(mode, localSteps, overheadTarget, outerOptimizer, outerLearningRate,
        outerMomentum, partitions, aggregationDepth, orderedAggregation, scaling, reference,
        checkpointDir, checkpointEvery, keepLast, overwrite);
  }

  /**
   * Settings that define the computation (saved with checkpoints and models, and compared when
   * resuming). Where checkpoints go and how often is bookkeeping, not computation: left out.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.configName());
    m.put("localSteps", localSteps);
    m.put("overheadTarget", overheadTarget);
    m.put("outerOptimizer", outerOptimizer);
    m.put("outerLearningRate", outerLearningRate);
    m.put("outerMomentum", outerMomentum);
    m.put("partitions", partitions);
    m.put("aggregationDepth", aggregationDepth);
    m.put("orderedAggregation", orderedAggregation);
    m.put("lrScaling", lrScaling);
    m.put("referenceBatch", referenceBatch);
    return m;
  }
}
