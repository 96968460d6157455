package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/**
 * Momentum in the lectures' (and PyTorch's) form; α default 0.9.
 * <pre>
 *   v ← α·v + g
 *   w ← w − η·v
 * </pre>
 */
public record Momentum(double alpha) implements Optimizer {

  public static final double DEFAULT_ALPHA = 0.9;

  public Momentum {
    Optimizers.checkUnit("momentum", alpha);
  }

  public Momentum() {
    this(DEFAULT_ALPHA);
  }

  @Override
  public String name() {
    return "momentum";
  }

  @Override
  public List<String> stateNames() {
    return List.of("v");
  }

  @Override
  public Map<String, Double> hyperParameters() {
    return Map.of("momentum", alpha);
  }

  @Override
  public void update(float[] w, float[] g, OptimizerState s, long t, float lr, int from, int to) {
    float[] v = s.slot(0);
    float a = (float) alpha;
    for (int i = from; i < to; i++) {
      float vi = a * v[i] + g[i];
      v[i] = vi;
      w[i] -= lr * vi;
    }
  }
}
