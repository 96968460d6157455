package org.sparkprop.nn;

/**
 * tanh in float32 as a rational function that C2 turns into SIMD code (only +, ×, ÷, min and max;
 * no branch, no call), for the tanh and sigmoid activations:
 *
 * <pre>
 *   x' = clamp(x, −9, 9)                      tanh(±9) rounds to ±1 in float32
 *   tanh(x) ≈ x'·P(x'²) / Q(x'²)              P, Q of degree 4 in x'², clamped to [−1, 1]
 *   σ(z)    = ½ + ½·tanh(z/2)
 * </pre>
 * P and Q were fitted by iteratively re-weighted least squares on the relative error over
 * [0, 9] (2.1e-8 in exact arithmetic). In float32 the result is within 6 ulp of the correctly
 * rounded tanh (0.8 ulp on average), odd-symmetric exactly, monotone up to that error (a wiggle of a few ulp near ±1), NaN for NaN, ±1 for ±∞;
 * {@code FastTanhTest} checks this against {@link Math#tanh} over the whole float range. σ is
 * within 2e-7 of the exact logistic function in absolute terms (its relative error grows
 * where σ is tiny, which a hidden layer's output never needs; losses compute σ of logits
 * themselves, exactly).
 */
public final class FastTanh {

  private static final float LIMIT = 9f;
  private static final float P1 = 0.1338096410036087f;
  private static final float P2 = 0.0034955134615302086f;
  private static final float P3 = 2.060780934698414e-05f;
  private static final float P4 = 1.3352832617385957e-08f;
  private static final float Q1 = 0.467142790555954f;
  private static final float Q2 = 0.02587670087814331f;
  private static final float Q3 = 0.0003285510465502739f;
  private static final float Q4 = 7.775822155053902e-07f;

  private FastTanh() {}

  /** tanh(x) in float32 (see the class comment for its accuracy). */
  public static float tanh(float x) {
    float c = Math.max(-LIMIT, Math.min(LIMIT, x));
    float s = c * c;
    float p = (((P4 * s + P3) * s + P2) * s + P1) * s + 1f;
    float q = (((Q4 * s + Q3) * s + Q2) * s + Q1) * s + 1f;
    return Math.max(-1f, Math.min(1f, c * p / q));
  }

  /** σ(z) = 1 / (1 + e^(−z)) through {@link #tanh}. */
  public static float sigmoid(float z) {
    return 0.5f + 0.5f * tanh(0.5f * z);
  }
}
