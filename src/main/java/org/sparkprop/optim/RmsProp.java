package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/**
 * RMSProp (Hinton, lecture 6e) as in PyTorch; ρ default 0.99, ε default 1e-8 outside the root.
 * <pre>
 *   s ← ρ·s + (1 − ρ)·g²
 *   w ← w − η·g / (√s + ε)
 * </pre>
 */
public record RmsProp(double rho, double eps) implements Optimizer {

  public static final double DEFAULT_RHO = 0.99;
  public static final double DEFAULT_EPS = 1e-8;

  public RmsProp {
    Optimizers.checkUnit("rho", rho);
    Optimizers.checkPositive("eps", eps);
  }

  public RmsProp() {
    this(DEFAULT_RHO, DEFAULT_EPS);
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  @Override
  public List<String> stateNames() {
    return List.of("s");
  }

  @Override
  public Map<String, Double> hyperParameters() {
    return Map.of("rho", rho, "eps", eps);
  }

  @Override
  public void update(float[] w, float[] g, OptimizerState st, long t, float lr, int from, int to) {
    float[] s = st.slot(0);
    float r = (float) rho;
    float oneMinusR = (float) (1 - rho);
    float e = (float) eps;
    for (int i = from; i < to; i++) {
      float gi = g[i];
      float si = r * s[i] + oneMinusR * gi * gi;
      s[i] = si;
      w[i] -= lr * gi / ((float) Math.sqrt(si) + e);
    }
  }
}
