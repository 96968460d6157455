package org.sparkprop.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The reductions of {@link FloatArrays} with the JDK's Vector API (SIMD lanes of the widest
 * width the CPU has: 8 floats with AVX2, 16 with AVX-512). Loaded only when the
 * {@code jdk.incubator.vector} module is present (Spark's launcher adds it; see
 * {@link FloatArrays#SIMD}).
 *
 * <p>A sum of squares adds lanes in float over blocks of {@value #BLOCK} elements and the blocks'
 * totals in double: ~4× the speed of four scalar double chains, a relative difference from them of
 * about 1e-6, which a norm used for clipping and a finiteness check does not see. A block total
 * that overflows float is recomputed by the caller in double (an overflow is not a divergence).
 */
final class VectorKernels {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int BLOCK = 1024;

  private VectorKernels() {}

  static double sumOfSquares(float[] a, int from, int to) {
    return scaledSumOfSquares(a, 1f, false, from, to);
  }

  static double scaleAndSumOfSquares(float[] a, float f, int from, int to) {
    return scaledSumOfSquares(a, f, true, from, to);
  }

  /** Σ (a[i]·f)² over [from, to), writing a[i]·f back when {@code write}. */
  private static double scaledSumOfSquares(float[] a, float f, boolean write, int from, int to) {
    int lanes = F.length();
    double total = 0;
    int i = from;
    while (i + lanes <= to) {
      int end = Math.min(to - lanes + 1, i + BLOCK);
      FloatVector acc = FloatVector.zero(F);
      for (; i < end; i += lanes) {
        FloatVector x = FloatVector.fromArray(F, a, i).mul(f);
        if (write) {
          x.intoArray(a, i);
        }
        acc = x.fma(x, acc);
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    for (; i < to; i++) {
      float x = a[i] * f;
      if (write) {
        a[i] = x;
      }
      total += (double) x * x;
    }
    return total;
  }

  /** {@link AdamKernel#update} on lanes; the tail by {@link AdamKernel#scalar}. */
  static void adam(float[] w, float[] g, float[] m, float[] v, float b1, float c1, float b2,
                   float c2, float stepSize, float invRootBc2, float eps, float decay,
                   boolean decayOn, int from, int to) {
    int lanes = F.length();
    int i = from;
    for (; i + lanes <= to; i += lanes) {
      FloatVector gi = FloatVector.fromArray(F, g, i);
      FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(gi.mul(c1));
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(b2).add(gi.mul(c2).mul(gi));
      mi = mi.blend(0f, mi.abs().compare(VectorOperators.LT, AdamKernel.TINY));
      vi = vi.blend(0f, vi.compare(VectorOperators.LT, AdamKernel.TINY));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      FloatVector wi = FloatVector.fromArray(F, w, i);
      if (decayOn) {
        wi = wi.mul(decay);
      }
      wi.sub(mi.mul(stepSize).div(vi.sqrt().mul(invRootBc2).add(eps))).intoArray(w, i);
    }
    AdamKernel.scalar(w, g, m, v, b1, c1, b2, c2, stepSize, invRootBc2, eps, decay, decayOn, i, to);
  }

  /** x·0 is 0 for finite x and NaN for ±∞ and NaN, in every lane. */
  static boolean allFinite(float[] a, int from, int to) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    int i = from;
    for (; i + lanes <= to; i += lanes) {
      acc = acc.add(FloatVector.fromArray(F, a, i).mul(0f));
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      s += a[i] * 0f;
    }
    return s == 0f;
  }
}
