package org.sparkprop.nn;

import java.util.Locale;
import org.sparkprop.linalg.Rng;

/**
 * How dense-layer weights start. Biases always start at zero, batch-norm scale at 1 and shift at 0.
 *
 * <pre>
 *   zeros          W = 0                       (linear models only: hidden units would stay identical)
 *   uniform(a)     W ~ U(−a, a)
 *   normal(s)      W ~ N(0, s²)
 *   xavier         W ~ U(−r, r),  r = √(6 / (fanIn + fanOut))     Glorot &amp; Bengio 2010
 *   xavier_normal  W ~ N(0, 2 / (fanIn + fanOut))
 *   he             W ~ N(0, 2 / fanIn)                            He et al. 2015 (for ReLU)
 *   he_uniform     W ~ U(−r, r),  r = √(6 / fanIn)
 * </pre>
 */
public record Init(Kind kind, double scale) {

  public enum Kind { ZEROS, UNIFORM, NORMAL, XAVIER, XAVIER_NORMAL, HE, HE_UNIFORM }

  public static final Init ZEROS = new Init(Kind.ZEROS, 0);
  public static final Init XAVIER = new Init(Kind.XAVIER, 0);
  public static final Init HE = new Init(Kind.HE, 0);

  public Init {
    if (!(scale >= 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("init scale must be a finite number >= 0, got " + scale);
    }
  }

  /**
   * Parses {@code zeros}, {@code xavier}, {@code xavier_normal}, {@code he}, {@code he_uniform},
   * {@code uniform(a)} or {@code normal(s)}.
   */
  public static Init parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    String name = s;
    double arg = Double.NaN;
    int open = s.indexOf('(');
    if (open >= 0) {
      if (!s.endsWith(")")) {
        throw new IllegalArgumentException("Malformed init '" + text + "': missing ')'");
      }
      name = s.substring(0, open);
      try {
        arg = Double.parseDouble(s.substring(open + 1, s.length() - 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Malformed init '" + text + "': '"
            + s.substring(open + 1, s.length() - 1) + "' is not a number");
      }
    }
    Kind kind;
    try {
      kind = Kind.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown init '" + text + "'; expected one of zeros, "
          + "uniform(a), normal(s), xavier, xavier_normal, he, he_uniform");
    }
    boolean needsArg = kind == Kind.UNIFORM || kind == Kind.NORMAL;
    if (needsArg && Double.isNaN(arg)) {
      throw new IllegalArgumentException("Init '" + text + "' needs a scale, e.g. " + name + "(0.01)");
    }
    if (!needsArg && !Double.isNaN(arg)) {
      throw new IllegalArgumentException("Init '" + name + "' takes no argument, got '" + text + "'");
    }
    return new Init(kind, needsArg ? arg : 0);
  }

  /** Fills {@code w[off .. off + fanIn·fanOut)} with weights of a (fanOut × fanIn) matrix. */
  public void fill(float[] w, int off, int fanIn, int fanOut, Rng rng) {
    int n = fanIn * fanOut;
    switch (kind) {
      case ZEROS -> java.util.Arrays.fill(w, off, off + n, 0f);
      case UNIFORM -> uniform(w, off, n, scale, rng);
      case NORMAL -> normal(w, off, n, scale, rng);
      case XAVIER -> uniform(w, off, n, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
      case XAVIER_NORMAL -> normal(w, off, n, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
      case HE -> normal(w, off, n, Math.sqrt(2.0 / fanIn), rng);
      case HE_UNIFORM -> uniform(w, off, n, Math.sqrt(6.0 / fanIn), rng);
      default -> throw new AssertionError(kind);
    }
  }

  private static void uniform(float[] w, int off, int n, double r, Rng rng) {
    for (int i = 0; i < n; i++) {
      w[off + i] = (float) ((2 * rng.nextDouble() - 1) * r);
    }
  }

  private static void normal(float[] w, int off, int n, double sd, Rng rng) {
    for (int i = 0; i < n; i++) {
      w[off + i] = (float) (rng.nextGaussian() * sd);
    }
  }

  @Override
  public String toString() {
    String name = kind.name().toLowerCase(Locale.ROOT);
    return (kind == Kind.UNIFORM || kind == Kind.NORMAL) ? name + "(" + scale + ")" : name;
  }
}
