package org.sparkprop.spark;

import org.sparkprop.optim.OptimizerState;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.UpdateRule;

/**
 * One synchronous step from the summed gradient: g = Σgrad/Σw (+ penalty, clipping), finite check,
 * optimizer, schedule. The one code path of the driver in {@code sync} mode and of every rank in
 * {@code allreduce} mode, so that both compute bitwise the same weights from the same sums.
 */
final class SyncUpdate {

  private SyncUpdate() {}

  /**
   * Updates {@code params} and {@code state} in place for global step t.
   *
   * @param grad Σ w·∂L/∂θ over the step's global batch; overwritten by the update's gradient
   * @param skipped divergent steps skipped before t (the optimizer counts t − skipped updates)
   * @param skipOnDivergence when true, a non-finite update is undone before the exception
   * @return false when there was nothing to learn (all-zero sample weights): no update
   * @throws DivergenceException for a non-finite loss, gradient or update
   */
  static boolean apply(UpdateRule rule, float[] params, float[] grad, BatchSums sums,
                       OptimizerState state, long t, long skipped, double lrScale,
                       boolean skipOnDivergence) {
    if (sums.weightSum <= 0) {
      return false;
    }
    double sq = rule.prepare(params, grad, sums.weightSum, 0, grad.length);
    UpdateRule.checkFinite(t, sums.lossSum, sq);
    float[][] backup = null;
    if (skipOnDivergence) {
      backup = new float[1 + state.slotCount()][params.length];
      UpdateRule.save(params, state, backup, 0, grad.length);
    }
    if (!rule.apply(params, grad, state, t - skipped, rule.learningRate(t, lrScale), rule.clipScale(sq), 0,
        grad.length)) {
      if (backup == null) {
        throw new DivergenceException(t, "the update produced non-finite weights", false);
      }
      UpdateRule.restore(params, state, backup, 0, grad.length);
      throw new DivergenceException(t, "the update produced non-finite weights");
    }
    return true;
  }
}
