package org.sparkprop.train;

import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.nn.Loss;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Workspace;

/**
 * Inference-mode metrics of a network on a block: Σ w·L, Σ w and weighted correct predictions,
 * as mergeable {@link BatchSums}. Batches of {@code batchRows} through one workspace; no allocation
 * per batch.
 */
public final class Evaluator {

  private final Network net;
  private final Workspace ws;
  private final int batchRows;

  public Evaluator(Network net, int batchRows) {
    this.net = net;
    this.batchRows = batchRows;
    this.ws = net.newWorkspace(batchRows);
  }

  /** Adds the metrics of rows [from, to) of {@code block} into {@code sums}. */
  public void evaluate(float[] params, float[] state, Block block, int from, int to, BatchSums sums) {
    Loss loss = net.loss();
    int width = net.outputSize();
    int f = block.features();
    int lw = block.labelWidth();
    boolean weighted = block.weighted();
    for (int lo = from; lo < to; lo += batchRows) {
      int rows = Math.min(to, lo + batchRows) - lo;
      System.arraycopy(block.x(), lo * f, ws.input(), 0, rows * f);
      System.arraycopy(block.y(), lo * lw, ws.labels(), 0, rows * lw);
      if (weighted) {
        System.arraycopy(block.w(), lo, ws.weights(), 0, rows);
      }
      float[] out = net.forward(params, state, ws, rows, false, 0L);
      sums.lossSum += loss.evaluate(out, width, ws.labels(), weighted ? ws.weights() : null, rows,
          null);
      sums.rows += rows;
      for (int r = 0; r < rows; r++) {
        double w = weighted ? ws.weights()[r] : 1.0;
        sums.weightSum += w;
        if (loss.isClassification()
            && loss.predictClass(out, r * width, width) == Blocks.classOf(ws.labels()[r], width)) {
          sums.correctWeight += w;
        }
      }
    }
  }

  /** Metrics of a whole block. */
  public BatchSums evaluate(float[] params, float[] state, Block block) {
    BatchSums s = new BatchSums();
    evaluate(params, state, block, 0, block.rows(), s);
    return s;
  }

  /**
   * The metric reported beside the loss: accuracy for classification, RMSE for regression
   * (√(Σ w·Σ_k (z_k − y_k)² / (Σ w · K)), from the squared loss's ½-sum).
   */
  public static double metric(Network net, BatchSums s) {
    if (net.loss().isClassification()) {
      return s.accuracy();
    }
    return Math.sqrt(2 * s.lossSum / (s.weightSum * net.outputSize()));
  }

  /** "accuracy" or "rmse". */
  public static String metricName(Network net) {
    return net.loss().isClassification() ? "accuracy" : "rmse";
  }
}
