package org.sparkprop.nn;

/**
 * Binary logistic loss on one output z, labels y ∈ {0, 1} (or {−1, +1}), s = ±1.
 *
 * <pre>
 *   L  = log(1 + e^(−s·z))        (computed stably as softplus(−s·z))
 *   dz = −s · σ(−s·z)
 *   P(y = 1) = σ(z)
 * </pre>
 */
public final class LogisticLoss implements Loss {

  @Override
  public String name() {
    return "logistic";
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
    return 2;
  }

  @Override
  public void checkOutputWidth(int outputWidth) {
    if (outputWidth != 1) {
      throw new IllegalArgumentException("logistic is a binary loss on one output unit, but the "
          + "network has " + outputWidth + " outputs; for several classes use loss=cross_entropy");
    }
  }

  @Override
  public String checkLabel(float[] labels, int offset, int outputWidth) {
    return Loss.checkBinaryLabel(labels[offset]);
  }

  @Override
  public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows,
                         float[] dOut) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double s = Loss.sign(labels[r]);
      double m = -s * out[r];                         // margin violation −s·z
      double w = weights == null ? 1.0 : weights[r];
      double softplus = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      total += w * softplus;
      if (dOut != null) {
        double sig = m >= 0 ? 1.0 / (1.0 + Math.exp(-m)) : Math.exp(m) / (1.0 + Math.exp(m));
        dOut[r] = Loss.flushTiny(-s * sig * w);            // see Loss.FLUSH_BELOW
      }
    }
    return total;
  }

  @Override
  public int predictClass(float[] out, int offset, int width) {
    return Loss.signClass(out[offset]);
  }

  @Override
  public void probabilities(float[] out, int offset, int width, double[] probs) {
    Loss.logistic(out[offset], probs);
  }
}
