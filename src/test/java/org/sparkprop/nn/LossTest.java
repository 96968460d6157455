package org.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LossTest {

  @Test
  void crossEntropyIsStableForHugeLogits() {
    Loss ce = Losses.byName("cross_entropy");
    float[] z = {1000f, -1000f, 0f};
    float[] dz = new float[3];
    double l = ce.evaluate(z, 3, new float[] {1f}, null, 1, dz);
    assertEquals(2000.0, l, 1e-6);
    assertTrue(Float.isFinite(dz[0]) && Float.isFinite(dz[1]));
    assertEquals(1f, dz[0], 1e-6);
    assertEquals(-1f, dz[1], 1e-6);
    float[] one = {1000f};
    double lg = Losses.byName("logistic").evaluate(one, 1, new float[] {0f}, null, 1, new float[1]);
    assertEquals(1000.0, lg, 1e-6);
  }

  @Test
  void labelsAreValidatedPerLoss() {
    Loss ce = Losses.byName("cross_entropy");
    assertNull(ce.checkLabel(new float[] {2f}, 0, 3));
    assertTrue(ce.checkLabel(new float[] {3f}, 0, 3).contains("out of range for 3 classes"));
    assertTrue(ce.checkLabel(new float[] {-1f}, 0, 3).contains("out of range"));
    assertTrue(ce.checkLabel(new float[] {1.5f}, 0, 3).contains("not an integer"));
    assertTrue(ce.checkLabel(new float[] {Float.NaN}, 0, 3).contains("NaN"));
    Loss logistic = Losses.byName("logistic");
    assertNull(logistic.checkLabel(new float[] {-1f}, 0, 1));
    assertNull(logistic.checkLabel(new float[] {0f}, 0, 1));
    assertNotNull(logistic.checkLabel(new float[] {2f}, 0, 1));
    Loss hinge = Losses.byName("hinge");
    assertNotNull(hinge.checkLabel(new float[] {2f}, 0, 1));
    assertNull(hinge.checkLabel(new float[] {2f}, 0, 3));
    Loss sq = Losses.byName("squared");
    assertNotNull(sq.checkLabel(new float[] {1f, Float.POSITIVE_INFINITY}, 0, 2));
  }

  @Test
  void multiclassPerceptronGradientIsRosenblattsRule() {
    // Zero scores: the prediction is class 0 (first on ties); true class 2 → update +x to class 2,
    // −x to class 0, which is the negative gradient.
    Loss p = Losses.byName("perceptron");
    float[] z = {0f, 0f, 0f};
    float[] dz = new float[3];
    p.evaluate(z, 3, new float[] {2f}, null, 1, dz);
    assertArrayEquals(new float[] {1f, 0f, -1f}, dz);
    // Correct prediction: no update.
    float[] z2 = {0f, 0f, 1f};
    p.evaluate(z2, 3, new float[] {2f}, null, 1, dz);
    assertArrayEquals(new float[] {0f, 0f, 0f}, dz);
    // Binary: a mistake at z = 0 updates too.
    float[] d1 = new float[1];
    p.evaluate(new float[] {0f}, 1, new float[] {1f}, null, 1, d1);
    assertEquals(-1f, d1[0]);
  }

  @Test
  void probabilitiesSumToOneAndPredictionsFollowScores() {
    double[] probs = new double[3];
    Loss ce = Losses.byName("cross_entropy");
    ce.probabilities(new float[] {1f, 3f, 2f}, 0, 3, probs);
    assertEquals(1.0, probs[0] + probs[1] + probs[2], 1e-12);
    assertEquals(1, ce.predictClass(new float[] {1f, 3f, 2f}, 0, 3));
    double[] two = new double[2];
    Losses.byName("logistic").probabilities(new float[] {0f}, 0, 1, two);
    assertEquals(0.5, two[1], 1e-12);
    assertEquals(1, Losses.byName("hinge").predictClass(new float[] {0.1f}, 0, 1));
  }

  @Test
  void confidentPredictionsGiveNoSubnormalGradients() {
    // softmax: p_1 = e^-95 / (1 + e^-95) ≈ 5.5e-42, a subnormal float; p_1 of e^-46 ≈ 1e-20 is kept.
    float[] d = new float[4];
    Losses.byName("cross_entropy").evaluate(new float[] {0f, -95f, 0f, -46f}, 2,
        new float[] {0f, 0f}, null, 2, d);
    assertEquals(0f, d[1], "flushed to 0, not 5.5e-42");
    assertEquals(Math.exp(-46), d[3], 1e-26, "a small normal gradient is kept");
    assertTrue(d[3] > 0);
    // logistic, label 0: dz = σ(z) = e^-95 / (1 + e^-95)
    float[] g = new float[1];
    Losses.byName("logistic").evaluate(new float[] {-95f}, 1, new float[] {0f}, null, 1, g);
    assertEquals(0f, g[0]);
    for (float v : new float[] {d[0], d[1], d[2], d[3], g[0]}) {
      assertTrue(v == 0 || Math.abs(v) >= Float.MIN_NORMAL, "no subnormal: " + v);
    }
  }
}
