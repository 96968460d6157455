package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;

/** The outer step of local SGD against values computed by hand. */
class OuterStepTest {

  @Test
  void nesterovOnTheAveragedDeltaMatchesHandComputedValues() {
    SparkTrainConfig dist = SparkTrainConfig.defaults().withOuter("nesterov", 0.7, 0.9);
    Optimizer outer = dist.buildOuterOptimizer();
    OptimizerState st = outer.init(2);
    float[] w = {1f, -2f};
    // Round 1: Δ = w − w̄ = (0.2, −0.5); v = Δ; w −= 0.7·(Δ + 0.9·v) = 0.7·1.9·Δ.
    OuterStep.apply(w, new float[] {0.8f, -1.5f}, outer, st, 1, dist.outerLearningRate(),
        dist.plainAveraging());
    assertEquals(1 - 0.7 * 1.9 * 0.2, w[0], 1e-6);
    assertEquals(-2 + 0.7 * 1.9 * 0.5, w[1], 1e-6);
    assertEquals(false, dist.plainAveraging());
    // Round 2 from w = 0.734: w̄ = 0.634, Δ = 0.1; v = 0.9·0.2 + 0.1 = 0.28; w −= 0.7·(0.1 + 0.252).
    OuterStep.apply(w, new float[] {0.634f, w[1]}, outer, st, 2, dist.outerLearningRate(), false);
    assertEquals(0.734 - 0.7 * (0.1 + 0.9 * 0.28), w[0], 1e-5);
    // Δ = 0 in the second coordinate still moves it by the momentum: v = 0.9·(−0.5) = −0.45.
    assertEquals(-2 + 0.7 * 1.9 * 0.5 - 0.7 * (0.9 * -0.45), w[1], 1e-5);
  }

  @Test
  void momentumAndPlainAveraging() {
    Optimizer momentum = SparkTrainConfig.defaults().withOuter("momentum", 1.0, 0.5)
        .buildOuterOptimizer();
    OptimizerState st = momentum.init(1);
    float[] w = {2f};
    OuterStep.apply(w, new float[] {1f}, momentum, st, 1, 1.0, false);     // v = 1: w = 1
    assertEquals(1f, w[0], 1e-6);
    OuterStep.apply(w, new float[] {1f}, momentum, st, 2, 1.0, false);     // v = 0.5: w = 0.5
    assertEquals(0.5f, w[0], 1e-6);
    float[] avg = {3f, 4f};
    SparkTrainConfig plain = SparkTrainConfig.defaults().withOuter("average", 1.0, 0.9);
    OuterStep.apply(avg, new float[] {1f, 2f}, plain.buildOuterOptimizer(), null, 1, 1.0,
        plain.plainAveraging());
    assertArrayEquals(new float[] {1f, 2f}, avg);
  }
}
