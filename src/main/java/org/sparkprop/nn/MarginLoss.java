package org.sparkprop.nn;

/**
 * What the margin losses (hinge, perceptron) share: one output unit means a binary problem with
 * labels 0/1 (or −1/+1) scored by the sign of z; K ≥ 2 outputs mean K classes scored by argmax.
 * They model no probabilities, so {@link #probabilities} gives the logistic (binary) or softmax
 * (multiclass) of the scores: monotone in the score, not calibrated. Subclasses write only
 * {@link #name()} and {@link #evaluate}.
 */
abstract class MarginLoss implements Loss {

  @Override
  public final boolean isClassification() {
    return true;
  }

  @Override
  public final int labelWidth(int outputWidth) {
    return 1;
  }

  @Override
  public final int numClasses(int outputWidth) {
    return outputWidth == 1 ? 2 : outputWidth;
  }

  @Override
  public final void checkOutputWidth(int outputWidth) {
    // any width: 1 is binary, ≥ 2 multiclass
  }

  @Override
  public final String checkLabel(float[] labels, int offset, int outputWidth) {
    return outputWidth == 1 ? Loss.checkBinaryLabel(labels[offset])
        : Loss.checkClassIndex(labels[offset], outputWidth);
  }

  @Override
  public final int predictClass(float[] out, int offset, int width) {
    return width == 1 ? Loss.signClass(out[offset]) : Loss.argmax(out, offset, width);
  }

  @Override
  public final void probabilities(float[] out, int offset, int width, double[] probs) {
    if (width == 1) {
      Loss.logistic(out[offset], probs);
    } else {
      Loss.softmax(out, offset, width, probs);
    }
  }
}
