package org.sparkprop.train;

import org.sparkprop.linalg.Rng;
import org.sparkprop.nn.Loss;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.Workspace;

/**
 * Predictions of a {@link Model} for unscaled rows, one batch at a time, through a workspace of
 * its own (not thread-safe: one predictor per thread). Rows are checked for width and finiteness,
 * then scaled with the model's scaler.
 *
 * <pre>
 *   scores         raw network outputs (logits / margins / values)      (rows, outputs)
 *   classes        argmax (binary: score &gt; 0)                          (rows)
 *   probabilities  softmax / logistic of the scores                    (rows, classes)
 *   sample         a class drawn from the probabilities, seeded         (rows)
 * </pre>
 */
public final class Predictor {

  private final Model model;
  private final Network net;
  private final Workspace ws;
  private final double[] probs;

  Predictor(Model model, int maxRows) {
    this.model = model;
    this.net = model.network();
    this.ws = net.newWorkspace(maxRows);
    this.probs = new double[Math.max(2, net.numClasses())];
  }

  public int maxRows() {
    return ws.maxRows();
  }

  /**
   * Runs rows {@code x[0 .. rows·features)} through the network; returns the scores buffer
   * (rows, outputs), valid until the next call.
   */
  public float[] scores(float[] x, int rows) {
    int f = net.inputSize();
    if (x.length < rows * f) {
      throw new IllegalArgumentException("expected " + rows + " rows of " + f + " features, got "
          + x.length + " values");
    }
    float[] in = ws.input();
    for (int i = 0; i < rows * f; i++) {
      float v = x[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("row " + (i / f) + ", feature " + (i % f) + " is " + v
            + "; features must be finite");
      }
      in[i] = v;
    }
    for (int r = 0; r < rows; r++) {
      model.scaler().applyInPlace(in, r * f);
    }
    return net.forward(model.params(), model.netState(), ws, rows, false, 0L);
  }

  /** Scores of one row (a copy). */
  public float[] scores(float[] row) {
    checkRow(row);
    return java.util.Arrays.copyOf(scores(row, 1), net.outputSize());
  }

  /** Predicted class indices of {@code rows} rows into {@code out}. */
  public void classes(float[] x, int rows, int[] out) {
    requireClassifier();
    float[] s = scores(x, rows);
    int width = net.outputSize();
    for (int r = 0; r < rows; r++) {
      out[r] = net.loss().predictClass(s, r * width, width);
    }
  }

  /** Class probabilities of one row of scores (as returned by {@link #scores(float[])}). */
  public double[] probabilitiesOfScores(float[] scores) {
    requireClassifier();
    double[] p = new double[net.numClasses()];
    net.loss().probabilities(scores, 0, net.outputSize(), p);
    return p;
  }

  /** Class probabilities of one row. */
  public double[] probabilities(float[] row) {
    return probabilitiesOfScores(scores(row));
  }

  /** A class drawn from the predicted distribution of each row, from the stream (seed, row). */
  public void sample(float[] x, int rows, long seed, int[] out) {
    sample(x, rows, seed, 0, out);
  }

  /**
   * As {@link #sample(float[], int, long, int[])}, the batch's rows being rows
   * {@code firstRow, firstRow + 1, ...} of the data: row g draws from the stream (seed, g), so
   * how the rows are batched or partitioned does not change the draws.
   */
  public void sample(float[] x, int rows, long seed, long firstRow, int[] out) {
    requireClassifier();
    float[] s = scores(x, rows);
    int width = net.outputSize();
    Loss loss = net.loss();
    Rng rng = new Rng(0);
    for (int r = 0; r < rows; r++) {
      loss.probabilities(s, r * width, width, probs);
      rng.reseed(Rng.derive(seed, Rng.SAMPLE, firstRow + r));
      double u = rng.nextDouble();
      int k = 0;
      double c = probs[0];
      while (u >= c && k < net.numClasses() - 1) {
        k++;
        c += probs[k];
      }
      out[r] = k;
    }
  }

  private void checkRow(float[] row) {
    if (row.length != net.inputSize()) {
      throw new IllegalArgumentException("row has " + row.length + " features, the model expects "
          + net.inputSize());
    }
  }

  private void requireClassifier() {
    if (!net.loss().isClassification()) {
      throw new UnsupportedOperationException("this is a regression model (loss "
          + net.loss().name() + "): use scores() for predicted values");
    }
  }
}
