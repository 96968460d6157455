package org.sparkprop.optim;

import java.util.List;
import java.util.Map;
import org.sparkprop.linalg.AdamKernel;

/**
 * Adam (Kingma &amp; Ba 2015) as in PyTorch; β1 = 0.9, β2 = 0.999, ε = 1e-8 by default, ε added
 * after the bias-corrected root. With {@code weightDecay} &gt; 0 it is AdamW (Loshchilov &amp;
 * Hutter 2019): the decay is decoupled from the gradient and applied first.
 * <pre>
 *   AdamW only:  w ← w·(1 − η·λ)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − (η / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 */
public record Adam(double beta1, double beta2, double eps, double weightDecay) implements Optimizer {

  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPS = 1e-8;
  /** PyTorch's AdamW default. */
  public static final double DEFAULT_ADAMW_DECAY = 0.01;

  public Adam {
    Optimizers.checkUnit("beta1", beta1);
    Optimizers.checkUnit("beta2", beta2);
    Optimizers.checkPositive("eps", eps);
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight_decay must be finite and >= 0, got " + weightDecay);
    }
  }

  /** Adam with PyTorch's defaults. */
  public static Adam adam() {
    return new Adam(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0);
  }

  /** AdamW with PyTorch's defaults. */
  public static Adam adamW() {
    return new Adam(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, DEFAULT_ADAMW_DECAY);
  }

  @Override
  public String name() {
    return weightDecay > 0 ? "adamw" : "adam";
  }

  @Override
  public List<String> stateNames() {
    return List.of("m", "v");
  }

  @Override
  public Map<String, Double> hyperParameters() {
    return weightDecay > 0
        ? Map.of("beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay)
        : Map.of("beta1", beta1, "beta2", beta2, "eps", eps);
  }

  @Override
  public void update(float[] w, float[] g, OptimizerState s, long t, float lr, int from, int to) {
    float[] m = s.slot(0);
    float[] v = s.slot(1);
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float c1 = (float) (1 - beta1);
    float c2 = (float) (1 - beta2);
    float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
    float invRootBc2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, t)));
    float e = (float) eps;
    float decay = (float) (1 - lr * weightDecay);
    AdamKernel.update(w, g, m, v, b1, c1, b2, c2, stepSize, invRootBc2, e, decay, weightDecay > 0,
        from, to);
  }
}
