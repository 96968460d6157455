package org.sparkprop.train;

import java.util.Arrays;
import org.sparkprop.data.Augmentation;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Rows;
import org.sparkprop.linalg.Rng;
import org.sparkprop.nn.Loss;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Workspace;

/**
 * One thread's (or one Spark task's) gradient engine: gathers the rows of a mini-batch from a block
 * into its workspace, in micro-batches of at most {@code microRows} rows, runs forward and backward,
 * and accumulates Σ w·∂L/∂θ into its own gradient array and the loss and accuracy sums into
 * {@link BatchSums}. Allocates once; {@link #accumulate} allocates nothing.
 */
public final class GradientWorker {

  private final Network net;
  private final Workspace ws;
  private final int microRows;
  private final float[] grad;
  private final BatchSums sums = new BatchSums();
  private final Rng augmentRng = new Rng(0);
  /** Batch-norm state at the call's start, and one micro-batch's state after it. */
  private final float[] stateAtStart;
  private final float[] stateOfMicroBatch;

  public GradientWorker(Network net, int microRows) {
    this.net = net;
    this.microRows = microRows;
    this.ws = net.newWorkspace(microRows);
    this.grad = new float[net.paramCount()];
    this.stateAtStart = net.initState();
    this.stateOfMicroBatch = net.initState();
  }

  public Network network() {
    return net;
  }

  /** This worker's gradient sum Σ w·∂L/∂θ since the last {@link #reset}. */
  public float[] grad() {
    return grad;
  }

  public BatchSums sums() {
    return sums;
  }

  public void reset() {
    Arrays.fill(grad, 0f);
    sums.reset();
  }

  /**
   * Adds the gradient over rows {@code idx[from..to)} of {@code rows} (a block, or a partition's
   * blocks). Micro-batch i uses noise
   * seed derive(noiseSeed, i) for dropout and augmentation. {@code state} receives batch-norm
   * running statistics, moved once per call: every micro-batch starts from the state the call was
   * given, and the call ends with the rows-weighted mean of their results, i.e. one momentum step
   * towards the micro-batches' mean statistics (as replicas' states are averaged), not one step
   * per micro-batch.
   */
  public void accumulate(Rows rows, int[] idx, int from, int to, float[] params, float[] state,
                         long noiseSeed, Augmentation augmentation) {
    Loss loss = net.loss();
    int width = net.outputSize();
    int micro = 0;
    boolean splitState = state.length > 0 && to - from > microRows;
    if (splitState) {
      System.arraycopy(state, 0, stateAtStart, 0, state.length);
      java.util.Arrays.fill(state, 0f);
    }
    for (int lo = from; lo < to; lo += microRows, micro++) {
      int hi = Math.min(to, lo + microRows);
      int n = hi - lo;
      rows.gather(idx, lo, hi, ws.input(), ws.labels(), ws.weights());
      long seed = Rng.derive2(noiseSeed, micro, 0);
      if (augmentation != null) {
        augmentRng.reseed(Rng.derive2(seed, Rng.AUGMENT, 0));
        augmentation.apply(ws.input(), n, rows.features(), augmentRng);
      }
      boolean weighted = rows.weighted();
      float[] target = state;
      if (splitState) {
        System.arraycopy(stateAtStart, 0, stateOfMicroBatch, 0, state.length);
        target = stateOfMicroBatch;
      }
      sums.lossSum += net.lossAndGradient(params, target, ws, n, weighted, grad, seed, false);
      if (splitState) {
        float share = n / (float) (to - from);
        for (int i = 0; i < state.length; i++) {
          state[i] += share * stateOfMicroBatch[i];
        }
      }
      sums.rows += n;
      float[] out = ws.output();
      float[] labels = ws.labels();
      float[] w = ws.weights();
      for (int r = 0; r < n; r++) {
        double wr = weighted ? w[r] : 1.0;
        sums.weightSum += wr;
        if (loss.isClassification()
            && loss.predictClass(out, r * width, width) == Blocks.classOf(labels[r], width)) {
          sums.correctWeight += wr;
        }
      }
    }
  }
}
