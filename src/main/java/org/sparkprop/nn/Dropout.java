package org.sparkprop.nn;

/**
 * Inverted dropout: in training each unit is kept with probability 1 − p and scaled by 1/(1 − p),
 * so inference is the identity and needs no rescaling.
 *
 * <pre>
 *   training    m_i = [u_i ≥ p] / (1 − p),  u_i ~ U[0,1) from the scratch's seeded generator
 *               out = in ⊙ m                dIn = dOut ⊙ m
 *   inference   out = in
 * </pre>
 * The mask (rows·width floats) is kept in the scratch between forward and backward.
 */
public final class Dropout implements Layer {

  private final double p;
  private final int width;

  public Dropout(double p, int width) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    this.width = width;
  }

  public double p() {
    return p;
  }

  @Override
  public int inputSize() {
    return width;
  }

  @Override
  public int outputSize() {
    return width;
  }

  @Override
  public int scratchSize(int rows) {
    return rows * width;
  }

  @Override
  public void forward(float[] params, float[] state, float[] in, float[] out, int rows,
                      Scratch scratch, boolean training) {
    int n = rows * width;
    if (!training || p == 0) {
      System.arraycopy(in, 0, out, 0, n);
      if (training) {
        java.util.Arrays.fill(scratch.data, 0, n, 1f);
      }
      return;
    }
    float keepScale = (float) (1.0 / (1.0 - p));
    float drop = (float) p;
    float[] mask = scratch.data;
    for (int i = 0; i < n; i++) {
      float m = scratch.rng.nextFloat() >= drop ? keepScale : 0f;
      mask[i] = m;
      out[i] = in[i] * m;
    }
  }

  @Override
  public void backward(float[] params, float[] in, float[] out, float[] dOut, float[] dIn,
                       float[] grad, int rows, Scratch scratch) {
    if (dIn == null) {
      return;
    }
    float[] mask = scratch.data;
    int n = rows * width;
    for (int i = 0; i < n; i++) {
      dIn[i] = dOut[i] * mask[i];
    }
  }

  @Override
  public String describe() {
    return "dropout(" + p + ")";
  }
}
