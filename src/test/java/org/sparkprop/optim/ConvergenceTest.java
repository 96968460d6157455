package org.sparkprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every optimizer (and L-BFGS, and random search as the baseline) minimises standard functions. */
class ConvergenceTest {

  /** f(w) = ½(w0² + 10·w1²) − w0, ill-conditioned, minimum at (1, 0) with value −0.5. */
  static double quadratic(float[] w, float[] g) {
    if (g != null) {
      g[0] = w[0] - 1;
      g[1] = 10 * w[1];
    }
    return 0.5 * (w[0] * w[0] + 10.0 * w[1] * w[1]) - w[0];
  }

  /** Rosenbrock f = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1). */
  static double rosenbrock(float[] w, float[] g) {
    double x = w[0];
    double y = w[1];
    if (g != null) {
      g[0] = (float) (-2 * (1 - x) - 400 * x * (y - x * x));
      g[1] = (float) (200 * (y - x * x));
    }
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  }

  static float[] run(Optimizer o, Objective f, float[] w0, float lr, int steps) {
    float[] w = w0.clone();
    float[] g = new float[w.length];
    OptimizerState s = o.init(w.length);
    for (int t = 1; t <= steps; t++) {
      f.evaluate(w, g);
      o.update(w, g, s, t, lr, 0, w.length);
    }
    return w;
  }

  @Test
  void everyOptimizerMinimisesAQuadratic() {
    Object[][] cases = {
        {"sgd", 0.09f}, {"momentum", 0.02f}, {"nesterov", 0.02f}, {"adagrad", 0.5f},
        {"rmsprop", 0.01f}, {"adam", 0.05f}, {"adamw", 0.05f}};
    for (Object[] c : cases) {
      Optimizer o = Optimizers.create((String) c[0], c[0].equals("adamw") ? Map.of("weight_decay", 0.0) : Map.of());
      float[] w = run(o, ConvergenceTest::quadratic, new float[] {-3f, 2f}, (Float) c[1], 3000);
      assertEquals(1.0, w[0], 0.02, c[0] + " w0");
      assertEquals(0.0, w[1], 0.02, c[0] + " w1");
    }
  }

  @Test
  void everyOptimizerMakesProgressOnRosenbrock() {
    Object[][] cases = {
        {"sgd", 1e-3f, 20000}, {"momentum", 1e-4f, 20000}, {"nesterov", 1e-4f, 20000},
        {"adagrad", 0.2f, 20000}, {"rmsprop", 1e-3f, 20000}, {"adam", 0.02f, 20000},
        {"adamw", 0.02f, 20000}};
    for (Object[] c : cases) {
      Optimizer o = Optimizers.create((String) c[0], c[0].equals("adamw") ? Map.of("weight_decay", 0.0) : Map.of());
      float[] w = run(o, ConvergenceTest::rosenbrock, new float[] {-1.2f, 1f}, (Float) c[1], (Integer) c[2]);
      double f = rosenbrock(w, null);
      assertTrue(f < 0.05, c[0] + " ended at f=" + f + " w=" + java.util.Arrays.toString(w));
      assertEquals(1.0, w[0], 0.25, (String) c[0]);
    }
  }

  @Test
  void lbfgsSolvesBothPrecisely() {
    Lbfgs lbfgs = new Lbfgs(200, 10, 1e-10);
    Lbfgs.Result q = lbfgs.minimize(ConvergenceTest::quadratic, new float[] {-3f, 2f}, i -> {});
    assertEquals(1.0, q.weights()[0], 1e-4);
    assertEquals(0.0, q.weights()[1], 1e-4);
    assertTrue(q.iterations() < 20, "quadratic in " + q.iterations() + " iterations");
    Lbfgs.Result r = lbfgs.minimize(ConvergenceTest::rosenbrock, new float[] {-1.2f, 1f}, i -> {});
    assertEquals(1.0, r.weights()[0], 1e-3, r.stopReason());
    assertEquals(1.0, r.weights()[1], 2e-3, r.stopReason());
    double[] h = r.objectiveHistory();
    for (int i = 1; i < h.length; i++) {
      assertTrue(h[i] <= h[i - 1] + 1e-12, "objective decreases monotonically");
    }
  }

  @Test
  void lbfgsWithATinyMemoryKeepsItsHistoryConsistent() {
    // memory 2 cycles the ring of correction pairs every other iteration
    Lbfgs.Result r = new Lbfgs(500, 2, 1e-12).minimize(ConvergenceTest::rosenbrock,
        new float[] {-1.2f, 1f}, i -> {});
    assertEquals(1.0, r.weights()[0], 1e-3, r.stopReason());
    assertEquals(1.0, r.weights()[1], 2e-3, r.stopReason());
    assertTrue(r.iterations() > 2, "the ring was reused");
  }

  @Test
  void randomSearchIsABaselineThatFindsTheBasin() {
    RandomSearch.Result many = new RandomSearch(3000, 2.0).search(ConvergenceTest::quadratic, 2, 5);
    assertTrue(many.objective() < -0.45, "best of 3000 is near the minimum: " + many.objective());
    assertEquals(many.objective(), quadratic(many.weights(), null), 1e-6);
    assertTrue(many.bestTrial() >= 0 && many.bestTrial() < 3000);
  }
}
