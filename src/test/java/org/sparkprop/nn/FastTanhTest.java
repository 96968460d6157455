package org.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The vectorisable tanh and sigmoid against Math.tanh and an exact logistic, over every range. */
class FastTanhTest {

  /** Distance in ulps between two finite floats of the same sign. */
  static long ulps(float a, float b) {
    return Math.abs((long) Float.floatToIntBits(a) - Float.floatToIntBits(b));
  }

  @Test
  void tanhIsWithinSixUlpsOfTheCorrectlyRoundedValueOverTheWholeRange() {
    long worst = 0;
    float worstAt = 0;
    // every 97th positive float bit pattern: subnormals, tiny, the curve, saturation, huge
    for (int bits = 1; bits < Float.floatToIntBits(Float.MAX_VALUE); bits += 97) {
      float x = Float.intBitsToFloat(bits);
      float exact = (float) Math.tanh(x);
      float fast = FastTanh.tanh(x);
      long d = ulps(fast, exact);
      if (d > worst) {
        worst = d;
        worstAt = x;
      }
      assertEquals(-fast, FastTanh.tanh(-x), 0f, "odd at " + x);
    }
    assertTrue(worst <= 6, "worst " + worst + " ulps at " + worstAt);
  }

  @Test
  void tanhIsMonotoneWithinItsErrorAndSaturatesExactly() {
    float prev = -1f;
    for (float x = -12f; x <= 12f; x += 1e-4f) {
      float y = FastTanh.tanh(x);
      assertTrue(y >= prev - 4e-7f, "falls by more than its error bound at " + x);
      prev = y;
    }
    assertEquals(1f, FastTanh.tanh(9.5f), 0f);
    assertEquals(-1f, FastTanh.tanh(-100f), 0f);
    assertEquals(1f, FastTanh.tanh(Float.POSITIVE_INFINITY), 0f);
    assertEquals(-1f, FastTanh.tanh(Float.NEGATIVE_INFINITY), 0f);
    assertTrue(Float.isNaN(FastTanh.tanh(Float.NaN)));
    assertEquals(0f, FastTanh.tanh(0f), 0f);
    assertEquals(1e-20f, FastTanh.tanh(1e-20f), 0f);   // tanh(x) = x for tiny x, exactly
  }

  @Test
  void sigmoidIsWithinTwoTenMillionthsOfTheExactLogistic() {
    double worst = 0;
    for (float z = -120f; z <= 120f; z += 1e-3f) {
      double exact = 1 / (1 + Math.exp(-(double) z));
      worst = Math.max(worst, Math.abs(FastTanh.sigmoid(z) - exact));
    }
    assertTrue(worst <= 2e-7, "worst absolute error " + worst);
    assertEquals(1f, FastTanh.sigmoid(Float.POSITIVE_INFINITY), 0f);
    assertEquals(0f, FastTanh.sigmoid(Float.NEGATIVE_INFINITY), 0f);
    assertEquals(0.5f, FastTanh.sigmoid(0f), 0f);
    assertTrue(Float.isNaN(FastTanh.sigmoid(Float.NaN)));
  }
}
