package org.sparkprop.nn;

import java.util.List;
import org.sparkprop.linalg.Blas;
import org.sparkprop.linalg.Rng;

/**
 * Affine layer {@code out = in · Wᵀ + b}.
 *
 * <pre>
 *   in  (rows, nIn)     W (nOut, nIn), row-major as in PyTorch's nn.Linear     b (nOut)
 *   out (rows, nOut)
 *   parameters, flat:   [ W (nOut·nIn) | b (nOut) ]  starting at paramOffset
 *
 *   forward    out  = in · Wᵀ + b
 *   backward   dW  += dOutᵀ · in          (nOut, nIn)
 *              db  += Σ_rows dOut          (nOut)
 *              dIn  = dOut · W             (rows, nIn)
 * </pre>
 */
public final class Dense implements Layer {

  private final int nIn;
  private final int nOut;
  private final int offset;
  private final int layerIndex;
  private final Blas blas;

  public Dense(int nIn, int nOut, int offset, int layerIndex, Blas blas) {
    if (nIn <= 0 || nOut <= 0) {
      throw new IllegalArgumentException("dense layer sizes must be positive, got " + nIn + "→" + nOut);
    }
    if ((long) nIn * nOut + nOut + offset > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("dense layer " + nIn + "→" + nOut + " brings the network past "
          + "2^31 parameters, more than one float array holds");
    }
    this.nIn = nIn;
    this.nOut = nOut;
    this.offset = offset;
    this.layerIndex = layerIndex;
    this.blas = blas;
  }

  @Override
  public int inputSize() {
    return nIn;
  }

  @Override
  public int outputSize() {
    return nOut;
  }

  @Override
  public int paramCount() {
    return nOut * nIn + nOut;
  }

  @Override
  public int paramOffset() {
    return offset;
  }

  private int biasOffset() {
    return offset + nOut * nIn;
  }

  @Override
  public List<ParamSegment> segments() {
    return List.of(
        new ParamSegment(layerIndex, "W", offset, nOut, nIn, true),
        new ParamSegment(layerIndex, "b", biasOffset(), 1, nOut, false));
  }

  @Override
  public void initParams(float[] params, Init init, Rng rng) {
    init.fill(params, offset, nIn, nOut, rng);
    java.util.Arrays.fill(params, biasOffset(), biasOffset() + nOut, 0f);
  }

  @Override
  public void forward(float[] params, float[] state, float[] in, float[] out, int rows,
                      Scratch scratch, boolean training) {
    int b = biasOffset();
    for (int r = 0; r < rows; r++) {                       // out = b (broadcast over rows)
      System.arraycopy(params, b, out, r * nOut, nOut);
    }
    // out (rows, nOut) += in (rows, nIn) · Wᵀ (nIn, nOut)
    blas.gemm(false, true, rows, nOut, nIn, 1f, in, 0, nIn, params, offset, nIn, 1f, out, 0, nOut);
  }

  @Override
  public void backward(float[] params, float[] in, float[] out, float[] dOut, float[] dIn,
                       float[] grad, int rows, Scratch scratch) {
    // dW (nOut, nIn) += dOutᵀ (nOut, rows) · in (rows, nIn)
    blas.gemm(true, false, nOut, nIn, rows, 1f, dOut, 0, nOut, in, 0, nIn, 1f, grad, offset, nIn);
    int b = biasOffset();
    for (int r = 0; r < rows; r++) {                       // db += column sums of dOut
      int row = r * nOut;
      for (int j = 0; j < nOut; j++) {
        grad[b + j] += dOut[row + j];
      }
    }
    if (dIn != null) {
      // dIn (rows, nIn) = dOut (rows, nOut) · W (nOut, nIn)
      blas.gemm(false, false, rows, nIn, nOut, 1f, dOut, 0, nOut, params, offset, nIn, 0f, dIn, 0, nIn);
    }
  }

  @Override
  public String describe() {
    return "dense(" + nIn + "," + nOut + ")";
  }
}
