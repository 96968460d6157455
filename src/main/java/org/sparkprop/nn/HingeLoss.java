package org.sparkprop.nn;

/**
 * Hinge loss (linear SVM when the network has no hidden layer).
 *
 * <pre>
 *   binary (1 output, s = ±1)    L = max(0, 1 − s·z)                dz = −s·[s·z &lt; 1]
 *   multiclass (K ≥ 2 outputs)   L = Σ_{j≠y} max(0, z_j − z_y + 1)   (Weston–Watkins / CS231n form)
 *                                dz_j = [z_j − z_y + 1 &gt; 0] (j≠y),  dz_y = −Σ_{j≠y} [z_j − z_y + 1 &gt; 0]
 * </pre>
 */
public final class HingeLoss extends MarginLoss {

  @Override
  public String name() {
    return "hinge";
  }

  @Override
  public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows,
                         float[] dOut) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double w = weights == null ? 1.0 : weights[r];
      if (width == 1) {
        double s = Loss.sign(labels[r]);
        double margin = 1 - s * out[r];
        if (margin > 0) {
          total += w * margin;
        }
        if (dOut != null) {
          dOut[r] = margin > 0 ? (float) (-s * w) : 0f;
        }
        continue;
      }
      int o = r * width;
      int y = (int) labels[r];
      float zy = out[o + y];
      int violations = 0;
      for (int j = 0; j < width; j++) {
        double m = j == y ? 0 : out[o + j] - zy + 1.0;
        boolean active = m > 0;
        if (active) {
          total += w * m;
          violations++;
        }
        if (dOut != null) {
          dOut[o + j] = active ? (float) w : 0f;
        }
      }
      if (dOut != null) {
        dOut[o + y] = (float) (-violations * w);
      }
    }
    return total;
  }
}
