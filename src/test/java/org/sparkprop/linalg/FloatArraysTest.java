package org.sparkprop.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloatArraysTest {

  @Test
  void reductionsMatchTheObviousLoops() {
    Rng rng = new Rng(4);
    for (int n : new int[] {0, 1, 3, 4, 5, 17, 1001, 235_146}) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) rng.nextGaussian();
      }
      double expected = 0;
      for (int i = 1; i < n; i++) {
        expected += (double) a[i] * a[i];
      }
      assertEquals(expected, FloatArrays.sumOfSquares(a, Math.min(1, n), n), 1e-6 * (1 + expected));
      float[] b = a.clone();
      double scaled = FloatArrays.scaleAndSumOfSquares(b, 0.5f, 0, n);
      double e2 = 0;
      for (int i = 0; i < n; i++) {
        assertEquals(a[i] * 0.5f, b[i]);
        e2 += (double) b[i] * b[i];
      }
      assertEquals(e2, scaled, 1e-6 * (1 + e2));
      assertTrue(FloatArrays.allFinite(a, 0, n));
    }
  }

  @Test
  void theSimdPathRunsInTestsAndAgreesWithTheScalarReference() {
    assertTrue(FloatArrays.SIMD, "the tests' JVM has --add-modules=jdk.incubator.vector (pom's argLine)");
    Rng rng = new Rng(5);
    for (int n : new int[] {7, 8, 9, 1023, 1024, 1025, 4099, 235_146}) {
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (rng.nextGaussian() * Math.exp(4 * rng.nextGaussian()));   // wide range
      }
      for (int from : new int[] {0, 3}) {
        double ref = FloatArrays.scalarSumOfSquares(a, from, n);
        assertEquals(ref, VectorKernels.sumOfSquares(a, from, n), 1e-6 * ref, "n=" + n);
        float[] b = a.clone();
        float[] c = a.clone();
        double r2 = FloatArrays.scalarScaleAndSumOfSquares(b, 0.37f, from, n);
        assertEquals(r2, VectorKernels.scaleAndSumOfSquares(c, 0.37f, from, n), 1e-6 * r2);
        assertArrayEquals(b, c, "the scaled values are bitwise the scalar ones");
      }
    }
  }

  @Test
  void aFloatOverflowInTheLanesIsNotMistakenForADivergence() {
    float[] a = new float[3000];
    java.util.Arrays.fill(a, 3e19f);                       // finite, but its square overflows float
    double expected = 3000 * 9e38;
    assertEquals(expected, FloatArrays.sumOfSquares(a, 0, a.length), 1e-6 * expected);
    assertEquals(expected, FloatArrays.scaleAndSumOfSquares(a.clone(), 1f, 0, a.length), 1e-6 * expected);
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
      for (int pos = 0; pos < 40; pos++) {                  // in the lanes and in the tail
        float[] a = new float[37];
        a[pos % 37] = bad;
        assertFalse(FloatArrays.allFinite(a, 0, a.length), bad + " at " + pos % 37);
        assertFalse(FloatArrays.scalarAllFinite(a, 0, a.length));
      }
    }
    assertTrue(FloatArrays.allFinite(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE}, 0, 2));
  }
}
