package org.sparkprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each update rule against values computed by hand, and the documented defaults. */
class OptimizerTest {

  /** One update of w = [1, −2] with g = [0.5, −1] at lr 0.1 (and, where it matters, t = 1). */
  private static float[] once(Optimizer o, long t) {
    float[] w = {1f, -2f};
    float[] g = {0.5f, -1f};
    o.update(w, g, o.init(2), t, 0.1f, 0, 2);
    return w;
  }

  @Test
  void sgd() {
    float[] w = once(new Sgd(), 1);
    assertEquals(1 - 0.05, w[0], 1e-7);                  // w − η·g
    assertEquals(-2 + 0.1, w[1], 1e-6);
  }

  @Test
  void momentumTwoSteps() {
    Momentum m = new Momentum(0.9);
    float[] w = {1f};
    OptimizerState s = m.init(1);
    m.update(w, new float[] {1f}, s, 1, 0.1f, 0, 1);    // v = 1, w = 1 − 0.1
    m.update(w, new float[] {1f}, s, 2, 0.1f, 0, 1);    // v = 0.9 + 1 = 1.9, w = 0.9 − 0.19
    assertEquals(1.9f, s.slot("v")[0], 1e-6);
    assertEquals(0.71f, w[0], 1e-6);
  }

  @Test
  void nesterovTwoSteps() {
    Nesterov n = new Nesterov(0.9);
    float[] w = {1f};
    OptimizerState s = n.init(1);
    n.update(w, new float[] {1f}, s, 1, 0.1f, 0, 1);    // v = 1, w = 1 − 0.1·(1 + 0.9) = 0.81
    assertEquals(0.81f, w[0], 1e-6);
    n.update(w, new float[] {1f}, s, 2, 0.1f, 0, 1);    // v = 1.9, w = 0.81 − 0.1·(1 + 1.71)
    assertEquals(0.81f - 0.271f, w[0], 1e-6);
  }

  @Test
  void adagrad() {
    float[] w = once(new Adagrad(), 1);                 // s = g², w − η·g/|g| = w − η·sign(g)
    assertEquals(0.9f, w[0], 1e-6);
    assertEquals(-1.9f, w[1], 1e-6);
  }

  @Test
  void rmsprop() {
    float[] w = once(new RmsProp(0.9, 1e-8), 1);        // s = 0.1·g², step η·g/(√0.1·|g|)
    assertEquals(1 - 0.1 / Math.sqrt(0.1), w[0], 1e-6);
  }

  @Test
  void adamFirstStepIsLrTimesSign() {
    float[] w = once(Adam.adam(), 1);                   // bias correction makes m̂/√v̂ = sign(g)
    assertEquals(0.9f, w[0], 1e-6);
    assertEquals(-1.9f, w[1], 1e-6);
  }

  @Test
  void adamWDecaysBeforeTheAdamStep() {
    Adam o = new Adam(0.9, 0.999, 1e-8, 0.5);
    float[] w = once(o, 1);                             // w·(1 − 0.1·0.5) − 0.1·sign(g)
    assertEquals(1 * 0.95 - 0.1, w[0], 1e-6);
    assertEquals("adamw", o.name());
  }

  @Test
  void rangesSplitTheWorkWithoutChangingTheResult() {
    Optimizer o = Adam.adam();
    float[] w1 = {1, 2, 3, 4, 5};
    float[] w2 = w1.clone();
    float[] g = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
    OptimizerState s1 = o.init(5);
    OptimizerState s2 = o.init(5);
    for (int t = 1; t <= 3; t++) {
      o.update(w1, g, s1, t, 0.01f, 0, 5);
      o.update(w2, g, s2, t, 0.01f, 0, 2);
      o.update(w2, g, s2, t, 0.01f, 2, 5);
    }
    assertEquals(java.util.Arrays.toString(w1), java.util.Arrays.toString(w2));
  }

  @Test
  void documentedDefaultsAreTheOnesUsed() {
    // PyTorch 1.13's defaults, as the Javadoc states.
    assertEquals(Map.of("beta1", 0.9, "beta2", 0.999, "eps", 1e-8),
        Optimizers.create("adam", Map.of()).hyperParameters());
    assertEquals(0.01, Optimizers.create("adamw", Map.of()).hyperParameters().get("weight_decay"));
    assertEquals(Map.of("rho", 0.99, "eps", 1e-8), Optimizers.create("rmsprop", Map.of()).hyperParameters());
    assertEquals(Map.of("eps", 1e-10), Optimizers.create("adagrad", Map.of()).hyperParameters());
    assertEquals(Map.of("momentum", 0.9), Optimizers.create("momentum", Map.of()).hyperParameters());
    assertEquals(List.of("m", "v"), Optimizers.create("adam", Map.of()).stateNames());
  }

  @Test
  void badConfigurationsAreRefusedClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Optimizers.create("adamm", Map.of()));
    assertTrue(e.getMessage().contains("Unknown optimizer 'adamm'"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Optimizers.create("sgd", Map.of("momentum", 0.9)));
    assertTrue(e.getMessage().contains("does not take [momentum]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Momentum(1.5));
    assertTrue(e.getMessage().contains("momentum must be in [0, 1)"));
  }

  @Test
  void stateRebuildChecksItsOrigin() {
    Optimizer adam = Adam.adam();
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.of(adam, "rmsprop", new float[][] {new float[3]}, 3));
    assertThrows(IllegalArgumentException.class,
        () -> OptimizerState.of(adam, "adam", new float[][] {new float[3], new float[2]}, 3));
    OptimizerState ok = OptimizerState.of(adam, "adam", new float[][] {{1, 2, 3}, {4, 5, 6}}, 3);
    assertEquals(5f, ok.slot("v")[1]);
  }

  /**
   * Issue 12: Adam's bias correction counted skipped divergent steps as updates. Its first applied
   * update moves each weight by the full rate (m̂/√v̂ = ±1), whatever the global step; counting a
   * skipped step would give 0.74 of it at t = 2.
   */
  @Test
  void adamsBiasCorrectionCountsAppliedUpdatesNotSkippedSteps() {
    Optimizer adam = Optimizers.create("adam", Map.of());
    org.sparkprop.train.UpdateRule rule = new org.sparkprop.train.UpdateRule(adam,
        Schedule.constant(0.01), org.sparkprop.nn.Penalty.NONE, 0,
        List.of(new org.sparkprop.nn.ParamSegment(0, "W", 0, 1, 2, true)));
    float[] w = {1f, -1f};
    OptimizerState s = adam.init(2);
    rule.step(w, new float[] {3f, -0.5f}, 0.0, 1.0, s, 2, 1, 1.0, true);   // step 1 was skipped
    assertEquals(1f - 0.01f, w[0], 1e-6);
    assertEquals(-1f + 0.01f, w[1], 1e-6);
  }
}
