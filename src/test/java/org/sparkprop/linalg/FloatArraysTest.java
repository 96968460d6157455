package org.sparkprop.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloatArraysTest {

  @Test
  void reductionsMatchTheObviousLoops() {
    Rng rng = new Rng(4);
    for (int n : new int[] {0, 1, 3, 4, 5, 17, 1001}) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) rng.nextGaussian();
      }
      double expected = 0;
      for (int i = 1; i < n; i++) {
        expected += (double) a[i] * a[i];
      }
      assertEquals(expected, FloatArrays.sumOfSquares(a, Math.min(1, n), n), 1e-9 * (1 + expected));
      float[] b = a.clone();
      double scaled = FloatArrays.scaleAndSumOfSquares(b, 0.5f, 0, n);
      double e2 = 0;
      for (int i = 0; i < n; i++) {
        assertEquals(a[i] * 0.5f, b[i]);
        e2 += (double) b[i] * b[i];
      }
      assertEquals(e2, scaled, 1e-9 * (1 + e2));
      assertTrue(FloatArrays.allFinite(a, 0, n));
    }
  }

  @Test
  void everyNonFiniteValueIsFoundWhereverItSits() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      for (int pos = 0; pos < 7; pos++) {
        float[] a = {1, 2, 3, 4, 5, 6, 7};
        a[pos] = bad;
        assertFalse(FloatArrays.allFinite(a, 0, a.length), bad + " at " + pos);
        assertTrue(FloatArrays.allFinite(a, pos + 1, a.length) || pos == 6);
      }
    }
    assertTrue(FloatArrays.allFinite(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE}, 0, 2));
  }
}
