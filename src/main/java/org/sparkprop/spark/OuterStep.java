package org.sparkprop.spark;

import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;

/**
 * The driver's step at the end of a local-SGD round (SlowMo, Wang et al. 2019; DiLoCo, Douillard
 * et al. 2023): the replicas' mean w̄ = Σ_r share_r·w_r gives the pseudo-gradient Δ = w − w̄, which
 * the outer optimizer applies to the round's starting weights w:
 *
 * <pre>
 *   average (rate 1)   w ← w̄                                   (plain model averaging, exactly)
 *   nesterov           v ← μ·v + Δ;  w ← w − α·(Δ + μ·v)       (DiLoCo: α = 0.7, μ = 0.9)
 *   momentum           v ← μ·v + Δ;  w ← w − α·v
 *   adam               Adam's formula on Δ, rate α
 * </pre>
 * With plain averaging and H = 1, a round is a synchronous SGD step. Plain averaging is the
 * default: the outer Nesterov step gained Fashion-MNIST 0.4 points at 2 and 4 replicas and 1.1 at
 * 8, but it overshoots where the replicas' own steps already converge within a round (linear
 * regression: test RMSE 0.13 against 0.10 at 2 replicas, 0.32 against 0.10 at 4; docs/scaling.md).
 * A single replica always takes its round's end weights as they are (so it trains exactly as the
 * local trainer does; the outer step cost it 0.6 points on Fashion-MNIST). The optimizers are the
 * engine's own (PyTorch's formulas, golden-tested); the outer state lives in the checkpoint.
 */
final class OuterStep {

  private OuterStep() {}

  /**
   * Updates {@code w} in place from the replicas' mean.
   *
   * @param w the round's starting weights; written
   * @param mean w̄; read
   * @param round the 1-based round number (Adam's bias correction)
   */
  static void apply(float[] w, float[] mean, Optimizer outer, OptimizerState state, long round,
                    double rate, boolean plainAveraging) {
    if (plainAveraging) {
      System.arraycopy(mean, 0, w, 0, w.length);
      return;
    }
    float[] delta = new float[w.length];                  // once per round, not per step
    for (int i = 0; i < w.length; i++) {
      delta[i] = w[i] - mean[i];
    }
    outer.update(w, delta, state, round, (float) rate, 0, w.length);
  }
}
