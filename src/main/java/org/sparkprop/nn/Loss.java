package org.sparkprop.nn;

/**
 * A training objective on the network's raw output z (rows, width), with its gradient.
 *
 * <p>{@link #evaluate} returns the weighted <em>sum</em> Σ_i w_i·L_i in double and writes
 * {@code dOut_i = w_i·∂L_i/∂z_i}; the caller divides by Σ_i w_i once, after summing over every
 * thread and partition. Labels are floats: class indices for classification (binary losses also
 * accept −1 for the negative class), target values for regression.
 *
 * <p>Implementations: {@link SoftmaxCrossEntropy}, {@link LogisticLoss}, {@link HingeLoss},
 * {@link PerceptronLoss}, {@link SquaredLoss}; look them up with {@link Losses#byName}.
 */
public interface Loss {

  /** The name used in specs and configs, e.g. {@code "cross_entropy"}. */
  String name();

  /** True for classification losses, false for regression. */
  boolean isClassification();

  /** Labels per row for a network with {@code outputWidth} outputs. */
  int labelWidth(int outputWidth);

  /** Number of classes a classifier with this output width predicts (binary: 2); 0 for regression. */
  int numClasses(int outputWidth);

  /** Throws a clear error when the network's output width does not suit this loss. */
  void checkOutputWidth(int outputWidth);

  /** Null when the label (row) at {@code offset} is valid, else what is wrong with it. */
  String checkLabel(float[] labels, int offset, int outputWidth);

  /**
   * Reads {@code out} (rows, width), {@code labels} (rows, labelWidth) and {@code weights} (rows,
   * or null for all ones); writes {@code dOut} (rows, width) unless null; returns Σ_i w_i·L_i.
   */
  double evaluate(float[] out, int width, float[] labels, float[] weights, int rows, float[] dOut);

  /** The predicted class of one output row (classification only). */
  int predictClass(float[] out, int offset, int width);

  /**
   * Writes class probabilities of one output row into {@code probs} (numClasses long).
   * Softmax for cross-entropy, the logistic function for binary logistic loss; for margin losses
   * (hinge, perceptron), which model no probabilities, the softmax (binary: logistic) of the scores,
   * monotone in the score but not calibrated.
   */
  void probabilities(float[] out, int offset, int width, double[] probs);

  /**
   * Gradient entries smaller than this in magnitude are set to 0: 2^-100 ≈ 7.9e-31. A confident
   * softmax or sigmoid gives probabilities down to float's subnormal range (below 1.2e-38), and
   * the backward GEMMs multiply them by weights into more subnormals, which x86 computes up to
   * ~100× slower than normal floats: measured here, a 128-row step of 784-256-128-10 took 5.1 ms
   * instead of 1.2 ms once a model was confident on its data. Such entries are 10^22 times below
   * any gradient that moves a float32 weight, so training is the same.
   */
  float FLUSH_BELOW = 0x1p-100f;

  /** {@code v}, or 0 when |v| is below {@link #FLUSH_BELOW}. */
  static float flushTiny(double v) {
    return Math.abs(v) < FLUSH_BELOW ? 0f : (float) v;
  }

  /** Index of the largest score (first one on ties). */
  static int argmax(float[] out, int offset, int width) {
    int best = 0;
    float max = out[offset];
    for (int k = 1; k < width; k++) {
      if (out[offset + k] > max) {
        max = out[offset + k];
        best = k;
      }
    }
    return best;
  }

  /** Binary class of one score: 1 when z &gt; 0, else 0. */
  static int signClass(float z) {
    return z > 0f ? 1 : 0;
  }

  /** Binary probabilities of one score: P(1) = σ(z) = 1 / (1 + e^(−z)), P(0) = 1 − σ(z). */
  static void logistic(float z, double[] probs) {
    double p = 1.0 / (1.0 + Math.exp(-z));
    probs[0] = 1 - p;
    probs[1] = p;
  }

  /** Softmax of one row of scores into a double array, max-subtracted. */
  static void softmax(float[] out, int offset, int width, double[] probs) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < width; k++) {
      max = Math.max(max, out[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < width; k++) {
      probs[k] = Math.exp(out[offset + k] - max);
      sum += probs[k];
    }
    for (int k = 0; k < width; k++) {
      probs[k] /= sum;
    }
  }

  /** Null if {@code y} is an integer class index in [0, classes), else the problem. */
  static String checkClassIndex(float y, int classes) {
    if (!Float.isFinite(y)) {
      return "label is " + y + ", expected a class index in [0, " + classes + ")";
    }
    if (y != Math.rint(y)) {
      return "label " + y + " is not an integer; classification labels are class indices in [0, "
          + classes + ")";
    }
    if (y < 0 || y >= classes) {
      return "label " + (long) y + " is out of range for " + classes + " classes: expected [0, "
          + classes + ")";
    }
    return null;
  }

  /** Null if {@code y} is a binary label: 0 or −1 (negative), 1 (positive). */
  static String checkBinaryLabel(float y) {
    if (y == 0f || y == 1f || y == -1f) {
      return null;
    }
    return "label " + y + " is not binary: expected 0 or 1 (or -1 for the negative class)";
  }

  /** Maps a binary label to ±1. */
  static float sign(float y) {
    return y > 0f ? 1f : -1f;
  }
}
