package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/**
 * Nesterov momentum in PyTorch's form (Sutskever et al. 2013, rewritten to need only the
 * gradient at w); α default 0.9.
 * <pre>
 *   v ← α·v + g
 *   w ← w − η·(g + α·v)
 * </pre>
 */
public record Nesterov(double alpha) implements Optimizer {

  public Nesterov {
    Optimizers.checkUnit("momentum", alpha);
  }

  public Nesterov() {
    this(Momentum.DEFAULT_ALPHA);
  }

  @Override
  public String name() {
    return "nesterov";
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
      w[i] -= lr * (g[i] + a * vi);
    }
  }
}
