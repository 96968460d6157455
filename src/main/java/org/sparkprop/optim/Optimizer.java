package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/**
 * A first-order update rule: immutable hyper-parameters here, per-parameter state in a separate
 * {@link OptimizerState} of flat float arrays with the parameters' layout.
 *
 * <p>{@code g} is the mean gradient ∂J/∂w (penalty and clipping already applied by the trainer,
 * identically for every optimizer). {@code t} is the 1-based number of this update (Adam's bias
 * correction needs it), {@code lr} the learning rate the schedule gives for it. Updates work on
 * {@code [from, to)} so that threads can split the array; the result does not depend on the split.
 *
 * <p>Formulas and defaults follow PyTorch 1.13's {@code torch.optim} (its defaults, its placement
 * of ε), and the golden-trajectory tests check them against it.
 */
public interface Optimizer {

  /** The name used in configs, e.g. {@code "adam"}. */
  String name();

  /** Names of the state arrays, e.g. {@code ["m", "v"]} for Adam; empty for SGD. */
  List<String> stateNames();

  /** Hyper-parameters by name, for configs, logs and saved models. */
  Map<String, Double> hyperParameters();

  /** w[from, to) ← updated w; state updated in place. */
  void update(float[] w, float[] g, OptimizerState state, long t, float lr, int from, int to);

  /** Zero state for {@code n} parameters. */
  default OptimizerState init(int n) {
    return new OptimizerState(name(), stateNames(), n);
  }
}
