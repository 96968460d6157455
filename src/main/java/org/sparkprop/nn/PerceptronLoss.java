package org.sparkprop.nn;

/**
 * Perceptron loss; with batch size 1, SGD at learning rate 1 and zero initial weights its
 * (sub)gradient step is exactly Rosenblatt's update rule.
 *
 * <pre>
 *   binary (1 output, s = ±1)    L = max(0, −s·z)              dz = −s if s·z ≤ 0 else 0
 *   multiclass (K ≥ 2 outputs)   ŷ = argmax_j z_j (first on ties)
 *                                L = z_ŷ − z_y  (≥ 0)          dz_ŷ = +1, dz_y = −1 if ŷ ≠ y, else 0
 * </pre>
 * At a tie (s·z = 0, or z_ŷ = z_y with ŷ ≠ y) the loss is 0 but a mistake was made: we take the
 * subgradient that updates, as the perceptron does, so zero-initialised weights learn.
 */
public final class PerceptronLoss extends MarginLoss {

  @Override
  public String name() {
    return "perceptron";
  }

  @Override
  public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows,
                         float[] dOut) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double w = weights == null ? 1.0 : weights[r];
      if (width == 1) {
        double s = Loss.sign(labels[r]);
        double sz = s * out[r];
        if (sz < 0) {
          total += -sz * w;
        }
        if (dOut != null) {
          dOut[r] = sz <= 0 ? (float) (-s * w) : 0f;
        }
        continue;
      }
      int o = r * width;
      int y = (int) labels[r];
      int predicted = Loss.argmax(out, o, width);
      if (dOut != null) {
        java.util.Arrays.fill(dOut, o, o + width, 0f);
      }
      if (predicted != y) {
        total += w * (out[o + predicted] - out[o + y]);
        if (dOut != null) {
          dOut[o + predicted] = (float) w;
          dOut[o + y] = (float) -w;
        }
      }
    }
    return total;
  }
}
