package org.sparkprop.nn;

import java.util.List;
import org.sparkprop.linalg.Rng;

/**
 * Central-difference gradient checking of a {@link Network}, its loss and a {@link Penalty}.
 *
 * <p>The objective is {@code J(θ) = Σ_i w_i·L_i / Σ_i w_i + P(θ)} on the batch in the workspace,
 * evaluated in training mode with a fixed noise seed (so dropout masks are the same at every
 * evaluation). For each checked coordinate:
 * <pre>
 *   numeric   n = (J(θ + h·e_k) − J(θ − h·e_k)) / 2h      (difference taken in double)
 *   analytic  a = the engine's gradient / Σ w + ∇P
 *   error     |a − n| / max(|a| + |n|, floor)
 * </pre>
 * The engine computes in float32, so h must not be tiny (1e-3 to 1e-2) and a relative error of
 * ~1e-2 is a pass; a wrong backward formula gives errors of order 1. Kinks (ReLU at 0, hinge at
 * margin 1, |w| at 0) within h of a coordinate can give isolated false alarms: use random inputs.
 */
public final class GradientCheck {

  /** Outcome: the largest error found and where. */
  public record Result(double maxError, String worst, double analytic, double numeric, int checked) {
    public boolean passes(double tolerance) {
      return maxError <= tolerance;
    }

    @Override
    public String toString() {
      return String.format("max relative error %.3g at %s (analytic %.6g, numeric %.6g), %d checked",
          maxError, worst, analytic, numeric, checked);
    }
  }

  private final double h;
  private final double floor;
  private final int maxCoordinates;

  /**
   * @param h the finite-difference step
   * @param floor the smallest denominator of the relative error (guards near-zero gradients)
   * @param maxCoordinates check at most this many coordinates per array (drawn at random, seeded
   *     by the array length), 0 = all
   */
  public GradientCheck(double h, double floor, int maxCoordinates) {
    this.h = h;
    this.floor = floor;
    this.maxCoordinates = maxCoordinates;
  }

  /** Sensible defaults for float32: h = 2e-3, floor = 1e-3, every coordinate. */
  public static GradientCheck defaults() {
    return new GradientCheck(2e-3, 1e-3, 0);
  }

  /**
   * Checks d J/d θ for all parameters and, if {@code checkInputs}, d J/d input. The batch (input,
   * labels, optional weights) must already be in {@code ws}. {@code params} is restored.
   */
  public Result check(Network net, float[] params, float[] state, Workspace ws, int rows,
                      boolean weighted, Penalty penalty, long noiseSeed, boolean checkInputs) {
    net.checkTrainable();
    double weightSum = weighted ? sum(ws.weights(), rows) : rows;
    float[] grad = new float[net.paramCount()];
    net.lossAndGradient(params, state, ws, rows, weighted, grad, noiseSeed, checkInputs);
    float[] inputGrad = checkInputs ? ws.inputGradient().clone() : null;
    List<ParamSegment> segs = net.segments();
    double[] analytic = new double[grad.length];
    for (int i = 0; i < grad.length; i++) {
      analytic[i] = grad[i] / weightSum;
    }
    float[] pen = new float[grad.length];
    penalty.addGradient(params, pen, segs, 0, pen.length);
    for (int i = 0; i < grad.length; i++) {
      analytic[i] += pen[i];
    }
    Worst worst = new Worst();
    for (int k : coordinates(params.length)) {
      float saved = params[k];
      params[k] = (float) (saved + h);
      double plus = objective(net, params, state, ws, rows, weighted, weightSum, penalty, noiseSeed);
      params[k] = (float) (saved - h);
      double minus = objective(net, params, state, ws, rows, weighted, weightSum, penalty, noiseSeed);
      double step = (double) (float) (saved + h) - (double) (float) (saved - h);
      params[k] = saved;
      worst.offer(analytic[k], (plus - minus) / step, () -> where(segs, k));
    }
    if (checkInputs) {
      float[] x = ws.input();
      int n = rows * net.inputSize();
      for (int k : coordinates(n)) {
        float saved = x[k];
        x[k] = (float) (saved + h);
        double plus = objective(net, params, state, ws, rows, weighted, weightSum, penalty, noiseSeed);
        x[k] = (float) (saved - h);
        double minus = objective(net, params, state, ws, rows, weighted, weightSum, penalty, noiseSeed);
        double step = (double) (float) (saved + h) - (double) (float) (saved - h);
        x[k] = saved;
        int row = k / net.inputSize();
        int col = k % net.inputSize();
        worst.offer(inputGrad[k] / weightSum, (plus - minus) / step,
            () -> "input[" + row + "," + col + "]");
      }
    }
    return new Result(worst.error, worst.where, worst.analytic, worst.numeric, worst.count);
  }

  private double objective(Network net, float[] params, float[] state, Workspace ws, int rows,
                           boolean weighted, double weightSum, Penalty penalty, long noiseSeed) {
    float[] out = net.forward(params, state, ws, rows, true, noiseSeed);
    double lossSum = net.loss().evaluate(out, net.outputSize(), ws.labels(),
        weighted ? ws.weights() : null, rows, null);
    return lossSum / weightSum + penalty.value(params, net.segments());
  }

  private int[] coordinates(int n) {
    if (maxCoordinates <= 0 || n <= maxCoordinates) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] some = new int[maxCoordinates];
    Rng rng = new Rng(n);
    for (int i = 0; i < maxCoordinates; i++) {
      some[i] = rng.nextInt(n);
    }
    return some;
  }

  private static String where(List<ParamSegment> segs, int k) {
    for (ParamSegment s : segs) {
      if (k >= s.offset() && k < s.end()) {
        int i = k - s.offset();
        return "layer " + s.layer() + " " + s.name() + "[" + (i / s.cols()) + "," + (i % s.cols()) + "]";
      }
    }
    return "param[" + k + "]";
  }

  private static double sum(float[] a, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += a[i];
    }
    return s;
  }

  private final class Worst {
    double error = 0;
    String where = "-";
    double analytic;
    double numeric;
    int count;

    void offer(double a, double n, java.util.function.Supplier<String> location) {
      count++;
      double err = Math.abs(a - n) / Math.max(Math.abs(a) + Math.abs(n), floor);
      if (err > error || Double.isNaN(err)) {
        error = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
        where = location.get();
        analytic = a;
        numeric = n;
      }
    }
  }
}
