package org.sparkprop.optim;

import java.util.List;
import java.util.Map;

/** Plain gradient descent: {@code w ← w − η·g}. No state. */
public record Sgd() implements Optimizer {

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public List<String> stateNames() {
    return List.of();
  }

  @Override
  public Map<String, Double> hyperParameters() {
    return Map.of();
  }

  @Override
  public void update(float[] w, float[] g, OptimizerState s, long t, float lr, int from, int to) {
    for (int i = from; i < to; i++) {
      w[i] -= lr * g[i];
    }
  }
}
