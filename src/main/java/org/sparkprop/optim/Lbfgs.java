package org.sparkprop.optim;

import java.util.function.IntConsumer;

/**
 * Full-batch L-BFGS for small and convex models (softmax regression, linear regression, small MLPs),
 * the solver Spark MLlib's MultilayerPerceptronClassifier and LogisticRegression use.
 *
 * <pre>
 *   d_k  = −H_k·g_k           two-loop recursion over the last m pairs (s_i, y_i), H_0 = γ·I,
 *                              γ = s·y / y·y of the newest pair              (Nocedal &amp; Wright, Alg. 7.4)
 *   α_k  satisfies the strong Wolfe conditions, c1 = 1e-4, c2 = 0.9,
 *        found by bracketing and zooming with safeguarded cubic interpolation  (N&amp;W, Alg. 3.5/3.6)
 *   x_{k+1} = x_k + α_k·d_k;  s = Δx, y = Δg; the pair is kept only if s·y &gt; 0
 *   stop: k = maxIterations, or |f_k − f_{k+1}| ≤ tolerance·max(|f_{k+1}|, 1),
 *         or ‖g‖ ≤ tolerance·max(‖x‖, 1), or no step satisfies the line search
 * </pre>
 * The first trial step is α_0 = min(1, 1/‖g_0‖), at most unit length. History vectors are kept in
 * double; the objective is evaluated in float32 like every other part of the engine.
 *
 * <p>Why not breeze's L-BFGS, which MLlib uses: its {@code DiffFunction} cannot be implemented in
 * Java (the trait's specialised {@code double apply(T)} clashes with Function1's
 * {@code Object apply(T)}, and the JVM refuses a proxy for the same reason), so we wrote this
 * compact, tested one instead of adding a Scala shim.
 *
 * @param maxIterations stop after this many iterations
 * @param memory number of correction pairs kept (m; MLlib's default 10)
 * @param tolerance convergence tolerance (MLlib's default 1e-6)
 */
public record Lbfgs(int maxIterations, int memory, double tolerance) {

  private static final double C1 = 1e-4;
  private static final double C2 = 0.9;
  private static final int MAX_LINE_SEARCH = 25;

  public Lbfgs {
    if (maxIterations <= 0 || memory <= 0 || !(tolerance >= 0)) {
      throw new IllegalArgumentException("L-BFGS needs maxIterations > 0, memory > 0, tolerance >= 0; got "
          + maxIterations + ", " + memory + ", " + tolerance);
    }
  }

  /** Outcome: the final weights, the objective before and after every iteration, iterations run. */
  public record Result(float[] weights, double[] objectiveHistory, int iterations, String stopReason) {}

  /**
   * Minimises {@code f} from {@code w0} (not modified); {@code afterIteration} gets the 1-based
   * iteration number, for progress reports.
   */
  public Result minimize(Objective f, float[] w0, IntConsumer afterIteration) {
    Evaluator ev = new Evaluator(f, w0.length);
    int n = w0.length;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = w0[i];
    }
    double[] g = new double[n];
    double fx = ev.eval(x, g);
    double[][] s = new double[memory][n];
    double[][] y = new double[memory][n];
    double[] rho = new double[memory];
    int stored = 0;
    int newest = -1;
    double[] d = new double[n];
    double[] alphaTmp = new double[memory];
    double[] xNew = new double[n];
    double[] gNew = new double[n];
    double[] history = new double[maxIterations + 1];
    history[0] = fx;
    String reason = "maxIterations";
    int k = 0;
    while (k < maxIterations) {
      if (!Double.isFinite(fx)) {
        reason = "non-finite objective";
        break;
      }
      if (norm(g) <= tolerance * Math.max(norm(x), 1)) {
        reason = "gradient norm below tolerance";
        break;
      }
      direction(g, s, y, rho, stored, newest, d, alphaTmp);
      double dg = dot(d, g);
      if (!(dg < 0)) {                                   // not a descent direction: restart
        stored = 0;
        for (int i = 0; i < n; i++) {
          d[i] = -g[i];
        }
        dg = dot(d, g);
      }
      double alpha0 = k == 0 ? Math.min(1.0, 1.0 / norm(g)) : 1.0;
      double fNew = lineSearch(ev, x, fx, g, d, dg, alpha0, xNew, gNew);
      if (Double.isNaN(fNew)) {
        reason = "line search found no acceptable step";
        break;
      }
      double sy = 0;
      for (int i = 0; i < n; i++) {
        sy += (xNew[i] - x[i]) * (gNew[i] - g[i]);
      }
      if (sy > 1e-12) {                                  // keep only pairs of positive curvature,
        newest = (newest + 1) % memory;                  // replacing the oldest when full
        for (int i = 0; i < n; i++) {
          s[newest][i] = xNew[i] - x[i];
          y[newest][i] = gNew[i] - g[i];
        }
        rho[newest] = 1 / sy;
        stored = Math.min(stored + 1, memory);
      }
      double previous = fx;
      System.arraycopy(xNew, 0, x, 0, n);
      System.arraycopy(gNew, 0, g, 0, n);
      fx = fNew;
      k++;
      history[k] = fx;
      afterIteration.accept(k);
      if (Math.abs(previous - fx) <= tolerance * Math.max(Math.abs(fx), 1)) {
        reason = "objective change below tolerance";
        break;
      }
    }
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) x[i];
    }
    return new Result(w, java.util.Arrays.copyOf(history, k + 1), k, reason);
  }

  /** Two-loop recursion: d = −H·g from the stored pairs, newest first. */
  private static void direction(double[] g, double[][] s, double[][] y, double[] rho, int stored,
                                int newest, double[] d, double[] alpha) {
    int n = g.length;
    int m = s.length;
    for (int i = 0; i < n; i++) {
      d[i] = -g[i];
    }
    for (int j = 0; j < stored; j++) {
      int idx = (newest - j + m) % m;
      alpha[j] = rho[idx] * dot(s[idx], d);
      axpy(-alpha[j], y[idx], d);
    }
    if (stored > 0) {
      double gamma = 1 / (rho[newest] * dot(y[newest], y[newest]));
      for (int i = 0; i < n; i++) {
        d[i] *= gamma;
      }
    }
    for (int j = stored - 1; j >= 0; j--) {
      int idx = (newest - j + m) % m;
      double beta = rho[idx] * dot(y[idx], d);
      axpy(alpha[j] - beta, s[idx], d);
    }
  }

  /**
   * Strong-Wolfe line search along d from x (value f0, slope dg0 &lt; 0). On success writes the
   * accepted point and gradient into xOut/gOut and returns its value; NaN if none was found.
   */
  private static double lineSearch(Evaluator ev, double[] x, double f0, double[] g0, double[] d,
                                   double dg0, double alpha0, double[] xOut, double[] gOut) {
    double aPrev = 0;
    double fPrev = f0;
    double dPrev = dg0;
    double a = alpha0;
    for (int i = 0; i < MAX_LINE_SEARCH; i++) {
      double fa = ev.at(x, d, a, xOut, gOut);
      double da = dot(gOut, d);
      if (!Double.isFinite(fa) || fa > f0 + C1 * a * dg0 || (i > 0 && fa >= fPrev)) {
        return zoom(ev, x, f0, dg0, d, aPrev, fPrev, dPrev, a, fa, da, xOut, gOut);
      }
      if (Math.abs(da) <= -C2 * dg0) {
        return fa;
      }
      if (da >= 0) {
        return zoom(ev, x, f0, dg0, d, a, fa, da, aPrev, fPrev, dPrev, xOut, gOut);
      }
      aPrev = a;
      fPrev = fa;
      dPrev = da;
      a *= 2;
    }
    return Double.NaN;
  }

  private static double zoom(Evaluator ev, double[] x, double f0, double dg0, double[] d,
                             double lo, double fLo, double dLo, double hi, double fHi, double dHi,
                             double[] xOut, double[] gOut) {
    for (int i = 0; i < MAX_LINE_SEARCH; i++) {
      double a = cubicMin(lo, fLo, dLo, hi, fHi, dHi);
      double fa = ev.at(x, d, a, xOut, gOut);
      double da = dot(gOut, d);
      if (!Double.isFinite(fa) || fa > f0 + C1 * a * dg0 || fa >= fLo) {
        hi = a;
        fHi = fa;
        dHi = da;
      } else {
        if (Math.abs(da) <= -C2 * dg0) {
          return fa;
        }
        if (da * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dHi = dLo;
        }
        lo = a;
        fLo = fa;
        dLo = da;
      }
      if (Math.abs(hi - lo) < 1e-12 * Math.max(1, Math.abs(lo))) {
        break;
      }
    }
    // No point met the curvature condition; accept the best sufficient-decrease point if any.
    if (lo > 0 && fLo < f0) {
      ev.at(x, d, lo, xOut, gOut);
      return fLo;
    }
    return Double.NaN;
  }

  /** Minimiser of the cubic through (a, fa, da), (b, fb, db), kept inside the middle 80% of [a, b]. */
  private static double cubicMin(double a, double fa, double da, double b, double fb, double db) {
    double lo = Math.min(a, b);
    double hi = Math.max(a, b);
    double margin = 0.1 * (hi - lo);
    double mid = (a + b) / 2;
    if (!Double.isFinite(fb) || !Double.isFinite(db)) {
      return mid;
    }
    double d1 = da + db - 3 * (fa - fb) / (a - b);
    double disc = d1 * d1 - da * db;
    if (disc < 0) {
      return mid;
    }
    double d2 = Math.signum(b - a) * Math.sqrt(disc);
    double t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    if (!Double.isFinite(t) || t < lo + margin || t > hi - margin) {
      return mid;
    }
    return t;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void axpy(double alpha, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += alpha * x[i];
    }
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  /** Evaluates the float objective at double points, converting both ways. */
  private static final class Evaluator {
    private final Objective f;
    private final float[] w;
    private final float[] g;

    Evaluator(Objective f, int n) {
      this.f = f;
      this.w = new float[n];
      this.g = new float[n];
    }

    double eval(double[] x, double[] gOut) {
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) x[i];
      }
      java.util.Arrays.fill(g, 0f);
      double v = f.evaluate(w, g);
      for (int i = 0; i < g.length; i++) {
        gOut[i] = g[i];
      }
      return v;
    }

    /** f and gradient at x + a·d (the point written to xOut). */
    double at(double[] x, double[] d, double a, double[] xOut, double[] gOut) {
      for (int i = 0; i < x.length; i++) {
        xOut[i] = x[i] + a * d[i];
      }
      return eval(xOut, gOut);
    }
  }
}
