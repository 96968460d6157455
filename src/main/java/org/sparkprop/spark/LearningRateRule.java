package org.sparkprop.spark;

import java.util.Set;
import org.sparkprop.train.TrainConfig;

/**
 * The learning-rate rule for synchronous steps, whose global batch G = R·b grows with the replicas
 * R (b = batchSize, the rows of one replica's step):
 *
 * <pre>
 *   k = G / ref            linear  (SGD, momentum, Nesterov: Goyal et al. 2017)
 *   k = √(G / ref)         sqrt    (Adam, AdamW, RMSProp, Adagrad: Malladi et al. 2022)
 *   η(t) = s(t) · (1 + (k − 1)·min(1, (t + 1)/W))           the user's schedule s, ramped to k·s
 * </pre>
 * ref is the batch the base rate was tuned for (by default b: what one replica, or the local
 * trainer, steps on), W the warm-up. Local SGD needs no rule: every replica steps on b rows at
 * the base rate. The result is a plain {@link TrainConfig} (schedule {@code ramp(k,W,s)}), so the
 * local trainer given it and the same global batches computes the same steps.
 *
 * @param factor k (1: the rule changes nothing)
 * @param warmupSteps W
 * @param scaling the rule that gave k: none, linear or sqrt
 */
public record LearningRateRule(double factor, long warmupSteps, String scaling) {

  private static final Set<String> ADAPTIVE = Set.of("adam", "adamw", "rmsprop", "adagrad");

  /**
   * @param stepsPerEpoch S, for the default warm-up of one epoch (at most a tenth of the run)
   * @param totalSteps the run's steps
   */
  public static LearningRateRule of(SparkTrainConfig dist, TrainConfig cfg, int replicas,
                                    int stepsPerEpoch, long totalSteps) {
    String rule = dist.lrScaling();
    if (rule.equals("auto")) {
      rule = ADAPTIVE.contains(cfg.optimizer()) ? "sqrt" : "linear";
    }
    if (!dist.mode().synchronous() || cfg.batchSize() <= 0 || rule.equals("none")) {
      return new LearningRateRule(1, 0, "none");
    }
    double ref = dist.referenceBatch() > 0 ? dist.referenceBatch() : cfg.batchSize();
    double ratio = (double) replicas * cfg.batchSize() / ref;
    double k = rule.equals("linear") ? ratio : Math.sqrt(ratio);
    long w = dist.warmupSteps() >= 0 ? dist.warmupSteps()
        : Math.min(stepsPerEpoch, Math.max(1, totalSteps / 10));
    return new LearningRateRule(k, w, rule);
  }

  /** The config with the rule applied (itself when k = 1). */
  public TrainConfig apply(TrainConfig cfg) {
    if (factor == 1) {
      return cfg;
    }
    return cfg.toBuilder().schedule("ramp(" + factor + "," + Math.max(1, warmupSteps) + ","
        + cfg.schedule() + ")").build();
  }
}
