package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi et al. 2011) as in PyTorch; ε default 1e-10, outside the root.
 * <pre>
 *   s ← s + g²
 *   w ← w − η·g / (√s + ε)
 * </pre>
 */
public record Adagrad(double eps) implements Optimizer {

  public static final double DEFAULT_EPS = 1e-10;

  public Adagrad {
    Optimizers.checkPositive("eps", eps);
  }

  public Adagrad() {
    this(DEFAULT_EPS);
  }

  @Override
  public String name() {
    return "adagrad";
  }

  @Override
  public List<String> stateNames() {
    return List.of("s");
  }

  @Override
  public Map<String, Double> hyperParameters() {
    return Map.of("eps", eps);
  }

  @Override
  public void update(float[] w, float[] g, OptimizerState st, long t, float lr, int from, int to) {
    float[] s = st.slot(0);
    float e = (float) eps;
    for (int i = from; i < to; i++) {
      float gi = g[i];
      float si = s[i] + gi * gi;
      s[i] = si;
      w[i] -= lr * gi / ((float) Math.sqrt(si) + e);
    }
  }
}
