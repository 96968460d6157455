package org.sparkprop.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdamKernelTest {

  /** Gradients of every scale: normal, tiny (squares underflow), zero, and moments near TINY. */
  static float[][] state(int n, long seed) {
    Rng r = new Rng(seed);
    float[] w = new float[n];
    float[] g = new float[n];
    float[] m = new float[n];
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian();
      int kind = i % 5;
      g[i] = kind == 0 ? 0f : (float) (r.nextGaussian() * Math.pow(2, -10 * kind - 5 * r.nextDouble()));
      m[i] = kind == 4 ? 0x1p-99f * (float) r.nextGaussian() : (float) (r.nextGaussian() * 1e-3);
      v[i] = kind == 3 ? 0x1p-99f * (float) r.nextDouble() : (float) (r.nextDouble() * 1e-6);
    }
    return new float[][] {w, g, m, v};
  }

  @Test
  void theSimdPathEqualsTheScalarReferenceBitForBitAndFlushesTinyMoments() {
    org.junit.jupiter.api.Assumptions.assumeTrue(FloatArrays.SIMD, "no Vector API in this JVM");
    for (int n : new int[] {1, 15, 16, 17, 1000, 4099}) {
      for (boolean decayOn : new boolean[] {false, true}) {
        float[][] a = state(n, n);
        float[][] b = state(n, n);
        for (int step = 0; step < 3; step++) {
          VectorKernels.adam(a[0], a[1], a[2], a[3], 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 1.2f, 1e-8f,
              0.99f, decayOn, 0, n);
          AdamKernel.scalar(b[0], b[1], b[2], b[3], 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f, 1.2f, 1e-8f,
              0.99f, decayOn, 0, n);
        }
        for (int k = 0; k < 4; k++) {
          assertArrayEquals(b[k], a[k], "n " + n + ", array " + k);
        }
        for (int i = 0; i < n; i++) {
          float mi = a[2][i];
          assertTrue(mi == 0 || Math.abs(mi) >= AdamKernel.TINY, "m " + mi);
          assertTrue(a[3][i] == 0 || a[3][i] >= AdamKernel.TINY, "v " + a[3][i]);
        }
      }
    }
  }

  @Test
  void theScalarReferenceIsAdamsFormula() {
    float[] w = {1f};
    float[] g = {0.5f};
    float[] m = {0.2f};
    float[] v = {0.01f};
    AdamKernel.scalar(w, g, m, v, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 2f, 1e-8f, 1f, false, 0, 1);
    float mi = 0.9f * 0.2f + 0.1f * 0.5f;
    float vi = 0.999f * 0.01f + 0.001f * 0.5f * 0.5f;
    assertEquals(mi, m[0]);
    assertEquals(vi, v[0]);
    assertEquals(1f - 0.01f * mi / ((float) Math.sqrt(vi) * 2f + 1e-8f), w[0]);
  }
}
