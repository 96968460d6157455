package org.sparkprop.nn;

/**
 * Softmax cross-entropy from logits, for K ≥ 2 classes.
 *
 * <pre>
 *   L  = log Σ_k e^(z_k) − z_y            (computed as m + log Σ_k e^(z_k − m), m = max_k z_k)
 *   dz = softmax(z) − onehot(y)          (entries below 2^-100 set to 0: {@link Loss#FLUSH_BELOW})
 * </pre>
 */
public final class SoftmaxCrossEntropy implements Loss {

  @Override
  public String name() {
    return "cross_entropy";
  }

  @Override
  public boolean isClassification() {
    return true;
  }

  @Override
  public int labelWidth(int outputWidth) {
    return 1;
  }

  @Override
  public int numClasses(int outputWidth) {
    return outputWidth;
  }

  @Override
  public void checkOutputWidth(int outputWidth) {
    if (outputWidth < 2) {
      throw new IllegalArgumentException("cross_entropy needs an output layer of at least 2 units "
          + "(one per class), got " + outputWidth + "; for a single output use loss=logistic");
    }
  }

  @Override
  public String checkLabel(float[] labels, int offset, int outputWidth) {
    return Loss.checkClassIndex(labels[offset], outputWidth);
  }

  @Override
  public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows,
                         float[] dOut) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int o = r * width;
      int y = (int) labels[r];
      float max = out[o];
      for (int k = 1; k < width; k++) {
        max = Math.max(max, out[o + k]);
      }
      double sum = 0;
      double w = weights == null ? 1.0 : weights[r];
      if (dOut == null) {
        for (int k = 0; k < width; k++) {
          sum += Math.exp(out[o + k] - max);
        }
      } else {
        for (int k = 0; k < width; k++) {                // e^(z_k − m) once, kept in dOut
          double e = Math.exp(out[o + k] - max);
          sum += e;
          dOut[o + k] = (float) e;
        }
        double scale = w / sum;
        for (int k = 0; k < width; k++) {
          dOut[o + k] = Loss.flushTiny(scale * dOut[o + k]);
        }
        dOut[o + y] -= (float) w;
      }
      total += w * (max + Math.log(sum) - out[o + y]);
    }
    return total;
  }

  @Override
  public int predictClass(float[] out, int offset, int width) {
    return Loss.argmax(out, offset, width);
  }

  @Override
  public void probabilities(float[] out, int offset, int width, double[] probs) {
    Loss.softmax(out, offset, width, probs);
  }
}
