package org.sparkprop.optim;

/**
 * A differentiable objective J(w) for full-batch solvers (L-BFGS, random search), typically the
 * mean loss over a whole dataset plus a penalty.
 */
@FunctionalInterface
public interface Objective {

  /** Returns J(w) and writes ∇J(w) into {@code grad} (unless null, when only the value is needed). */
  double evaluate(float[] w, float[] grad);
}
