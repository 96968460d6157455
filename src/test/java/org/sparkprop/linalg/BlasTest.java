package org.sparkprop.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fast GEMM must agree with the naive triple loop for every transpose, offset and beta. */
class BlasTest {

  @Test
  void fastGemmMatchesNaiveForAllTransposesOffsetsAndBetas() {
    Blas fast = Blas.fast();
    Rng rng = new Rng(7);
    int[][] shapes = {{1, 1, 1}, {3, 5, 4}, {17, 9, 33}, {64, 128, 256}, {128, 10, 128}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          for (float beta : new float[] {0f, 1f, 0.5f}) {
            int lda = (ta ? m : k) + 3;            // padded rows: leading dimension > width
            int ldb = (tb ? k : n) + 1;
            int ldc = n + 2;
            int offA = 5;
            int offB = 2;
            int offC = 7;
            float[] a = random(rng, offA + (ta ? k : m) * lda);
            float[] b = random(rng, offB + (tb ? n : k) * ldb);
            float[] c1 = random(rng, offC + m * ldc);
            float[] c2 = c1.clone();
            fast.gemm(ta, tb, m, n, k, 0.75f, a, offA, lda, b, offB, ldb, beta, c1, offC, ldc);
            NaiveBlas.INSTANCE.gemm(ta, tb, m, n, k, 0.75f, a, offA, lda, b, offB, ldb, beta, c2,
                offC, ldc);
            for (int i = 0; i < c1.length; i++) {
              float tol = 1e-5f * k + 1e-5f;
              assertEquals(c2[i], c1[i], tol * (1 + Math.abs(c2[i])),
                  () -> "m,n,k=" + m + "," + n + "," + k + " ta=" + ta + " tb=" + tb);
            }
          }
        }
      }
    }
  }

  @Test
  void betaZeroIgnoresGarbageInC() {
    float[] a = {1, 2, 3, 4};
    float[] b = {1, 0, 0, 1};
    float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
    Blas.fast().gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
    assertEquals(1f, c[0]);
    assertEquals(4f, c[3]);
    float[] c2 = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
    NaiveBlas.INSTANCE.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c2, 0, 2);
    assertEquals(2f, c2[1]);
  }

  @Test
  void reportsItsBackend() {
    String name = Blas.fast().name();
    assertTrue(name.startsWith("native:") || name.startsWith("java:"), name);
  }

  static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian();
    }
    return a;
  }
}
