package org.sparkprop.nn;

/**
 * All the memory one thread needs to run a {@link Network} on batches of up to {@code maxRows}
 * rows, allocated once so that forward and backward allocate nothing.
 *
 * <pre>
 *   input()    (maxRows, inputSize)   the batch's features, filled by the caller
 *   labels()   (maxRows, labelWidth)  filled by the caller for training
 *   weights()  (maxRows)              optional sample weights, filled by the caller
 *   acts[i]    (maxRows, width_i)     acts[0] = input, acts[i+1] = output of layer i
 *   dA, dB     (maxRows, maxWidth)    ping-pong buffers for gradients w.r.t. activations
 * </pre>
 */
public final class Workspace {

  final int maxRows;
  final float[][] acts;
  final float[] dA;
  final float[] dB;
  final Scratch[] scratch;
  final float[] labels;
  final float[] weights;
  final float[] inputGradient;

  Workspace(Network net, int maxRows) {
    if (maxRows <= 0) {
      throw new IllegalArgumentException("workspace rows must be positive, got " + maxRows);
    }
    this.maxRows = maxRows;
    int n = net.layers().size();
    acts = new float[n + 1][];
    acts[0] = new float[maxRows * net.inputSize()];
    int maxWidth = net.inputSize();
    scratch = new Scratch[n];
    for (int i = 0; i < n; i++) {
      Layer l = net.layers().get(i);
      acts[i + 1] = new float[maxRows * l.outputSize()];
      maxWidth = Math.max(maxWidth, l.outputSize());
      scratch[i] = new Scratch(l.scratchSize(maxRows));
    }
    dA = new float[maxRows * maxWidth];
    dB = new float[maxRows * maxWidth];
    labels = new float[maxRows * net.labelWidth()];
    weights = new float[maxRows];
    inputGradient = new float[maxRows * net.inputSize()];
  }

  public int maxRows() {
    return maxRows;
  }

  /** The input batch buffer, (maxRows, inputSize) row-major. */
  public float[] input() {
    return acts[0];
  }

  /** The label buffer, (maxRows, labelWidth) row-major. */
  public float[] labels() {
    return labels;
  }

  /** The sample-weight buffer, (maxRows). */
  public float[] weights() {
    return weights;
  }

  /** The network output of the last forward pass, (rows, outputSize). */
  public float[] output() {
    return acts[acts.length - 1];
  }

  /** ∂(Σ w·L)/∂input of the last {@code lossAndGradient(..., wantInputGradient=true)}. */
  public float[] inputGradient() {
    return inputGradient;
  }
}
