package org.sparkprop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkprop.linalg.Rng;

class ScalingAndToysTest {

  @Test
  void minMaxAndStandardAreFittedOnTrainingDataOnly() {
    Block train = new Block(3, 2, 1, new float[] {0, 10, 5, 10, 10, 10}, new float[3], null, "t");
    Scaler mm = Scaler.fit(Scaler.Kind.MINMAX, train);
    Block scaled = mm.apply(train);
    assertEquals(0f, scaled.x()[0]);
    assertEquals(0.5f, scaled.x()[2]);
    assertEquals(1f, scaled.x()[4]);
    assertEquals(0f, scaled.x()[1], "constant feature maps to 0, not NaN");
    Block test = new Block(1, 2, 1, new float[] {20, 10}, new float[1], null, "test");
    assertEquals(2f, mm.apply(test).x()[0], "test data uses the training fit");
    Scaler st = Scaler.fit(Scaler.Kind.STANDARD, train);
    Block z = st.apply(train);
    assertEquals(0.0, z.x()[0] + z.x()[2] + z.x()[4], 1e-6);
    assertEquals(3.0, z.x()[0] * z.x()[0] + z.x()[2] * z.x()[2] + z.x()[4] * z.x()[4], 1e-5);
    assertEquals(10f, Scaler.fit(Scaler.Kind.NONE, train).apply(train).x()[1]);
  }

  @Test
  void toySetsAreSeededAndShaped() {
    Block a = ToySets.twoMoons(200, 0.1, 3);
    Block b = ToySets.twoMoons(200, 0.1, 3);
    assertEquals(java.util.Arrays.toString(a.x()), java.util.Arrays.toString(b.x()));
    assertNotEquals(java.util.Arrays.toString(a.x()),
        java.util.Arrays.toString(ToySets.twoMoons(200, 0.1, 4).x()));
    for (Block t : new Block[] {a, ToySets.xor(100, 0.05, 1), ToySets.circles(100, 0.5, 0.05, 1)}) {
      assertEquals(2, t.features());
      double ones = 0;
      for (float y : t.y()) {
        assertTrue(y == 0 || y == 1);
        ones += y;
      }
      assertTrue(ones > 0.3 * t.rows() && ones < 0.7 * t.rows());
    }
    Block blobs = ToySets.blobs(300, 3, 4, 0.5, 2);
    assertEquals(4, blobs.features());
    assertEquals(2f, blobs.y()[2]);
    ToySets.Regression r = ToySets.linear(50, 3, 0.0, 1);
    float[] x = r.block().x();
    double pred = r.bias() + x[0] * r.beta()[0] + x[1] * r.beta()[1] + x[2] * r.beta()[2];
    assertEquals(pred, r.block().y()[0], 1e-5);
  }

  @Test
  void imageAugmentationShiftsAndStaysInRange() {
    float[] img = new float[9];
    img[4] = 1f;                                         // centre pixel of a 3×3 image
    ImageAugmentation shiftOnly = new ImageAugmentation(3, 3, 1, 0);
    Rng rng = new Rng(9);
    int moved = 0;
    for (int i = 0; i < 20; i++) {
      float[] x = img.clone();
      shiftOnly.apply(x, 1, 9, rng);
      float sum = 0;
      for (float v : x) {
        sum += v;
      }
      assertEquals(1f, sum, "a one-pixel shift of a centre pixel keeps it inside the image");
      moved += x[4] == 1f ? 0 : 1;
    }
    assertTrue(moved > 5);
    float[] x = img.clone();
    new ImageAugmentation(3, 3, 0, 0.5).apply(x, 1, 9, rng);
    for (float v : x) {
      assertTrue(v >= 0f && v <= 1f);
    }
  }
}
