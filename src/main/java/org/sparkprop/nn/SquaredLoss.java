package org.sparkprop.nn;

/**
 * Squared error for single- or multi-output regression.
 *
 * <pre>
 *   L  = ½ Σ_k (z_k − y_k)²       dz_k = z_k − y_k
 * </pre>
 * (the ½ makes the gradient the residual; reported metrics use RMSE = √(mean_i Σ_k (z_k − y_k)² / K)).
 */
public final class SquaredLoss implements Loss {

  @Override
  public String name() {
    return "squared";
  }

  @Override
  public boolean isClassification() {
    return false;
  }

  @Override
  public int labelWidth(int outputWidth) {
    return outputWidth;
  }

  @Override
  public int numClasses(int outputWidth) {
    return 0;
  }

  @Override
  public void checkOutputWidth(int outputWidth) {
    // any width: one target per output
  }

  @Override
  public String checkLabel(float[] labels, int offset, int outputWidth) {
    for (int k = 0; k < outputWidth; k++) {
      if (!Float.isFinite(labels[offset + k])) {
        return "regression target is " + labels[offset + k] + ", expected a finite number";
      }
    }
    return null;
  }

  @Override
  public double evaluate(float[] out, int width, float[] labels, float[] weights, int rows,
                         float[] dOut) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      double w = weights == null ? 1.0 : weights[r];
      double sq = 0;
      for (int k = r * width, end = k + width; k < end; k++) {
        double d = (double) out[k] - labels[k];
        sq += d * d;
        if (dOut != null) {
          dOut[k] = (float) (d * w);
        }
      }
      total += 0.5 * w * sq;
    }
    return total;
  }

  @Override
  public int predictClass(float[] out, int offset, int width) {
    throw new UnsupportedOperationException("squared loss is a regression loss: it predicts values, "
        + "not classes");
  }

  @Override
  public void probabilities(float[] out, int offset, int width, double[] probs) {
    throw new UnsupportedOperationException("squared loss is a regression loss: it has no class "
        + "probabilities");
  }
}
