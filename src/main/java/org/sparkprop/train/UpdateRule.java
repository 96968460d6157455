package org.sparkprop.train;

import java.util.List;
import org.sparkprop.linalg.FloatArrays;
import org.sparkprop.nn.ParamSegment;
import org.sparkprop.nn.Penalty;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.optim.Schedule;

/**
 * What the driver does with the summed gradient of one step, identical for every optimizer and in
 * every trainer (local threads, Spark synchronous steps, local-SGD inner steps):
 *
 * <pre>
 *   g ← Σgrad / Σw + ∇P(w)                       mean gradient plus penalty
 *   g ← g · min(1, c / ‖g‖)                      clipping by global norm c (when c &gt; 0)
 *   check ‖g‖ and the loss are finite             else DivergenceException, nothing applied
 *   w ← optimizer(w, g, state, t, η(t)·lrScale)
 * </pre>
 * The work splits into {@link #prepare} and {@link #apply} over index ranges so threads can share it;
 * {@link #step} does it all on one thread.
 */
public final class UpdateRule {

  private final Optimizer optimizer;
  private final Schedule schedule;
  private final Penalty penalty;
  private final double clipNorm;
  private final List<ParamSegment> segments;

  public UpdateRule(Optimizer optimizer, Schedule schedule, Penalty penalty, double clipNorm,
                    List<ParamSegment> segments) {
    if (!(clipNorm >= 0)) {
      throw new IllegalArgumentException("clipNorm must be >= 0 (0 disables clipping), got " + clipNorm);
    }
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.penalty = penalty;
    this.clipNorm = clipNorm;
    this.segments = segments;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public Schedule schedule() {
    return schedule;
  }

  /** The learning rate of update t (1-based). */
  public float learningRate(long t, double lrScale) {
    return (float) (schedule.at(t - 1) * lrScale);
  }

  /** g[from,to) ← g/weightSum + ∇P(w); returns Σ g² over the range (NaN-propagating). */
  public double prepare(float[] w, float[] g, double weightSum, int from, int to) {
    float inv = (float) (1.0 / weightSum);
    if (penalty.isNone()) {
      return FloatArrays.scaleAndSumOfSquares(g, inv, from, to);   // one pass instead of two
    }
    for (int i = from; i < to; i++) {
      g[i] *= inv;
    }
    penalty.addGradient(w, g, segments, from, to);
    return FloatArrays.sumOfSquares(g, from, to);
  }

  /** The clipping factor for a gradient of squared norm {@code normSq}, 1 when not clipping. */
  public float clipScale(double normSq) {
    double norm = Math.sqrt(normSq);
    return clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
  }

  /**
   * g[from,to) ← g·scale, then the optimizer's update of w[from,to). {@code n} is the 1-based count
   * of this update among those applied (the global step minus the skipped divergent ones): what
   * bias corrections such as Adam's count. Returns false if an updated weight is not finite (a
   * finite gradient times a huge rate can still overflow).
   */
  public boolean apply(float[] w, float[] g, OptimizerState state, long n, float lr, float scale,
                       int from, int to) {
    applyUnchecked(w, g, state, n, lr, scale, from, to);
    return FloatArrays.allFinite(w, from, to);
  }

  /** {@link #apply} without scanning the new weights, for replicas whose result is checked later. */
  public void applyUnchecked(float[] w, float[] g, OptimizerState state, long n, float lr,
                             float scale, int from, int to) {
    if (scale != 1f) {
      for (int i = from; i < to; i++) {
        g[i] *= scale;
      }
    }
    optimizer.update(w, g, state, n, lr, from, to);
  }

  /** Copies w and the optimizer state on [from, to) into {@code backup} (same layout). */
  public static void save(float[] w, OptimizerState state, float[][] backup, int from, int to) {
    System.arraycopy(w, from, backup[0], from, to - from);
    for (int k = 0; k < state.slotCount(); k++) {
      System.arraycopy(state.slot(k), from, backup[k + 1], from, to - from);
    }
  }

  /** The inverse of {@link #save}. */
  public static void restore(float[] w, OptimizerState state, float[][] backup, int from, int to) {
    System.arraycopy(backup[0], from, w, from, to - from);
    for (int k = 0; k < state.slotCount(); k++) {
      System.arraycopy(backup[k + 1], from, state.slot(k), from, to - from);
    }
  }

  /** Throws if the loss sum or the gradient norm is not finite. */
  public static void checkFinite(long t, double lossSum, double gradNormSq) {
    if (!Double.isFinite(lossSum)) {
      throw new DivergenceException(t, "the loss is " + lossSum);
    }
    if (!Double.isFinite(gradNormSq)) {
      throw new DivergenceException(t, "the gradient norm is " + Math.sqrt(gradNormSq));
    }
  }

  /**
   * The whole update on one thread for global step t, {@code skipped} divergent steps having been
   * skipped before it. {@code g} holds Σgrad and is overwritten. Returns the gradient norm (before
   * clipping). With {@code checkWeights} false the new weights are not scanned: for a
   * local-SGD replica, whose weights are a copy checked at the end of its round (and a non-finite
   * weight shows up as a non-finite loss at the next step anyway).
   */
  public double step(float[] w, float[] g, double lossSum, double weightSum, OptimizerState state,
                     long t, long skipped, double lrScale, boolean checkWeights) {
    double sq = prepare(w, g, weightSum, 0, g.length);
    checkFinite(t, lossSum, sq);
    float lr = learningRate(t, lrScale);
    if (checkWeights) {
      if (!apply(w, g, state, t - skipped, lr, clipScale(sq), 0, g.length)) {
        throw new DivergenceException(t, "the update produced non-finite weights", false);
      }
    } else {
      applyUnchecked(w, g, state, t - skipped, lr, clipScale(sq), 0, g.length);
    }
    return Math.sqrt(sq);
  }
}
