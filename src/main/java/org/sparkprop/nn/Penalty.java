package org.sparkprop.nn;

import java.util.List;
import java.util.Locale;

/**
 * Weight penalty added to the mean loss, on penalised segments only (dense weights; never biases
 * or batch-norm parameters). Elastic net in MLlib's parametrisation:
 *
 * <pre>
 *   P(w)  = λ·( α·Σ|w| + (1−α)/2·Σw² ) = l1·Σ|w| + l2/2·Σw²,    l1 = λα,  l2 = λ(1−α)
 *   ∇P(w) = l1·sign(w) + l2·w                                    (sign(0) = 0)
 *   L2:   α = 0          L1:  α = 1
 * </pre>
 * The trainer minimises {@code Σ_i w_i·L_i / Σ_i w_i + P(w)} with every optimizer alike.
 */
public record Penalty(double l1, double l2) {

  public static final Penalty NONE = new Penalty(0, 0);

  public Penalty {
    if (!(l1 >= 0) || !(l2 >= 0) || Double.isInfinite(l1) || Double.isInfinite(l2)) {
      throw new IllegalArgumentException("penalty strengths must be finite and >= 0, got l1=" + l1
          + ", l2=" + l2);
    }
  }

  public static Penalty l2(double lambda) {
    return new Penalty(0, lambda);
  }

  public static Penalty l1(double lambda) {
    return new Penalty(lambda, 0);
  }

  /** λ·(α·‖w‖₁ + (1−α)/2·‖w‖²), α ∈ [0, 1]. */
  public static Penalty elasticNet(double lambda, double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("elastic-net mixing alpha must be in [0, 1], got " + alpha);
    }
    return new Penalty(lambda * alpha, lambda * (1 - alpha));
  }

  /** Parses {@code none}, {@code l2(λ)}, {@code l1(λ)} or {@code elasticnet(λ,α)}. */
  public static Penalty parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    if (s.isEmpty() || s.equals("none")) {
      return NONE;
    }
    int open = s.indexOf('(');
    if (open < 0 || !s.endsWith(")")) {
      throw new IllegalArgumentException("Malformed penalty '" + text
          + "'; expected none, l2(λ), l1(λ) or elasticnet(λ,α)");
    }
    String name = s.substring(0, open);
    String[] args = s.substring(open + 1, s.length() - 1).split(",");
    double[] v = new double[args.length];
    for (int i = 0; i < args.length; i++) {
      try {
        v[i] = Double.parseDouble(args[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Malformed penalty '" + text + "': '" + args[i]
            + "' is not a number");
      }
    }
    int expected = name.equals("elasticnet") ? 2 : 1;
    if (v.length != expected) {
      throw new IllegalArgumentException("Penalty '" + name + "' takes " + expected
          + " argument(s), got '" + text + "'");
    }
    return switch (name) {
      case "l2" -> l2(v[0]);
      case "l1" -> l1(v[0]);
      case "elasticnet" -> elasticNet(v[0], v[1]);
      default -> throw new IllegalArgumentException("Unknown penalty '" + name
          + "'; expected none, l2(λ), l1(λ) or elasticnet(λ,α)");
    };
  }

  public boolean isNone() {
    return l1 == 0 && l2 == 0;
  }

  /** P(w) over the penalised segments, in double. */
  public double value(float[] params, List<ParamSegment> segments) {
    if (isNone()) {
      return 0;
    }
    double abs = 0;
    double sq = 0;
    for (ParamSegment s : segments) {
      if (!s.penalized()) {
        continue;
      }
      for (int i = s.offset(); i < s.end(); i++) {
        abs += Math.abs(params[i]);
        sq += (double) params[i] * params[i];
      }
    }
    return l1 * abs + 0.5 * l2 * sq;
  }

  /** grad += ∇P(w) on the penalised part of {@code [from, to)}. */
  public void addGradient(float[] params, float[] grad, List<ParamSegment> segments, int from, int to) {
    if (isNone()) {
      return;
    }
    float a = (float) l1;
    float b = (float) l2;
    for (ParamSegment s : segments) {
      if (!s.penalized()) {
        continue;
      }
      int lo = Math.max(from, s.offset());
      int hi = Math.min(to, s.end());
      for (int i = lo; i < hi; i++) {
        float w = params[i];
        grad[i] += a * Math.signum(w) + b * w;
      }
    }
  }

  @Override
  public String toString() {
    if (isNone()) {
      return "none";
    }
    if (l1 == 0) {
      return "l2(" + l2 + ")";
    }
    if (l2 == 0) {
      return "l1(" + l1 + ")";
    }
    double lambda = l1 + l2;
    return "elasticnet(" + lambda + "," + (l1 / lambda) + ")";
  }
}
