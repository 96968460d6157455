package org.sparkprop.nn;

import java.util.List;
import org.sparkprop.linalg.Rng;

/**
 * Batch normalisation over the rows of a batch, per feature j (Ioffe &amp; Szegedy 2015).
 *
 * <pre>
 *   parameters  γ (n) | β (n)                 state  runningMean (n) | runningVar (n)
 *   training    μ_j = mean_r x_rj,  σ²_j = mean_r (x_rj − μ_j)²   (biased, over this batch)
 *               x̂_rj = (x_rj − μ_j) / √(σ²_j + ε),   y_rj = γ_j·x̂_rj + β_j
 *               runningMean ← (1−m)·runningMean + m·μ;  runningVar ← (1−m)·runningVar + m·σ²·R/(R−1)
 *   inference   y_rj = γ_j·(x_rj − runningMean_j)/√(runningVar_j + ε) + β_j
 *   backward    dβ_j += Σ_r dy_rj,   dγ_j += Σ_r dy_rj·x̂_rj
 *               dx_rj = γ_j/(R·√(σ²_j+ε)) · (R·dy_rj − Σ_r dy_rj − x̂_rj·Σ_r dy_rj·x̂_rj)
 * </pre>
 * R is the number of rows, m the momentum (0.1) and ε = 1e-5, as in PyTorch. In data-parallel
 * training the statistics are those of each replica's share of the batch (as PyTorch DDP without
 * SyncBatchNorm), and replicas' running statistics are averaged at every synchronisation. A share
 * larger than {@code microBatch} rows is normalised per micro-batch, and its running statistics
 * still move once per step (GradientWorker averages the micro-batches' updates by rows).
 * Scratch: x̂ (R·n) then 1/√(σ²+ε) (n).
 */
public final class BatchNorm implements Layer {

  public static final double MOMENTUM = 0.1;
  public static final double EPS = 1e-5;

  private final int n;
  private final int offset;
  private final int stateOffset;
  private final int layerIndex;

  public BatchNorm(int n, int offset, int stateOffset, int layerIndex) {
    this.n = n;
    this.offset = offset;
    this.stateOffset = stateOffset;
    this.layerIndex = layerIndex;
  }

  @Override
  public int inputSize() {
    return n;
  }

  @Override
  public int outputSize() {
    return n;
  }

  @Override
  public int paramCount() {
    return 2 * n;
  }

  @Override
  public int paramOffset() {
    return offset;
  }

  @Override
  public int stateCount() {
    return 2 * n;
  }

  @Override
  public int stateOffset() {
    return stateOffset;
  }

  @Override
  public int scratchSize(int rows) {
    return rows * n + n;
  }

  @Override
  public List<ParamSegment> segments() {
    return List.of(
        new ParamSegment(layerIndex, "gamma", offset, 1, n, false),
        new ParamSegment(layerIndex, "beta", offset + n, 1, n, false));
  }

  @Override
  public void initParams(float[] params, Init init, Rng rng) {
    java.util.Arrays.fill(params, offset, offset + n, 1f);
    java.util.Arrays.fill(params, offset + n, offset + 2 * n, 0f);
  }

  @Override
  public void initState(float[] state) {
    java.util.Arrays.fill(state, stateOffset, stateOffset + n, 0f);
    java.util.Arrays.fill(state, stateOffset + n, stateOffset + 2 * n, 1f);
  }

  @Override
  public void forward(float[] params, float[] state, float[] in, float[] out, int rows,
                      Scratch scratch, boolean training) {
    int g = offset;
    int b = offset + n;
    if (!training) {
      int rm = stateOffset;
      int rv = stateOffset + n;
      for (int j = 0; j < n; j++) {
        float scale = (float) (params[g + j] / Math.sqrt(state[rv + j] + EPS));
        float shift = params[b + j] - state[rm + j] * scale;
        for (int r = 0; r < rows; r++) {
          out[r * n + j] = in[r * n + j] * scale + shift;
        }
      }
      return;
    }
    float[] xhat = scratch.data;
    int invStd = rows * n;
    for (int j = 0; j < n; j++) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        sum += in[r * n + j];
      }
      double mean = sum / rows;
      double sq = 0;
      for (int r = 0; r < rows; r++) {
        double d = in[r * n + j] - mean;
        sq += d * d;
      }
      double var = sq / rows;
      double inv = 1.0 / Math.sqrt(var + EPS);
      xhat[invStd + j] = (float) inv;
      float gamma = params[g + j];
      float beta = params[b + j];
      for (int r = 0; r < rows; r++) {
        float xh = (float) ((in[r * n + j] - mean) * inv);
        xhat[r * n + j] = xh;
        out[r * n + j] = gamma * xh + beta;
      }
      double unbiased = rows > 1 ? var * rows / (rows - 1) : var;
      state[stateOffset + j] = (float) ((1 - MOMENTUM) * state[stateOffset + j] + MOMENTUM * mean);
      state[stateOffset + n + j] =
          (float) ((1 - MOMENTUM) * state[stateOffset + n + j] + MOMENTUM * unbiased);
    }
  }

  @Override
  public void backward(float[] params, float[] in, float[] out, float[] dOut, float[] dIn,
                       float[] grad, int rows, Scratch scratch) {
    float[] xhat = scratch.data;
    int invStd = rows * n;
    for (int j = 0; j < n; j++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int r = 0; r < rows; r++) {
        float dy = dOut[r * n + j];
        sumDy += dy;
        sumDyXhat += dy * xhat[r * n + j];
      }
      grad[offset + j] += (float) sumDyXhat;
      grad[offset + n + j] += (float) sumDy;
      if (dIn != null) {
        double k = params[offset + j] * xhat[invStd + j] / rows;
        for (int r = 0; r < rows; r++) {
          dIn[r * n + j] =
              (float) (k * (rows * dOut[r * n + j] - sumDy - xhat[r * n + j] * sumDyXhat));
        }
      }
    }
  }

  @Override
  public String describe() {
    return "batchnorm(" + n + ")";
  }
}
