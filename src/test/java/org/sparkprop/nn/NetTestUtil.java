package org.sparkprop.nn;

import org.sparkprop.linalg.Rng;

/** Helpers to fill a workspace with a random batch suited to a network's loss. */
final class NetTestUtil {

  private NetTestUtil() {}

  /** Random N(0, scale²) inputs, valid random labels for the loss, weights in [0.5, 1.5). */
  static void randomBatch(Network net, Workspace ws, int rows, long seed, double scale) {
    Rng rng = new Rng(seed);
    float[] x = ws.input();
    for (int i = 0; i < rows * net.inputSize(); i++) {
      x[i] = (float) (rng.nextGaussian() * scale);
    }
    float[] y = ws.labels();
    int lw = net.labelWidth();
    for (int r = 0; r < rows; r++) {
      if (!net.loss().isClassification()) {
        for (int k = 0; k < lw; k++) {
          y[r * lw + k] = (float) rng.nextGaussian();
        }
      } else {
        y[r] = rng.nextInt(net.numClasses());
      }
    }
    for (int r = 0; r < rows; r++) {
      ws.weights()[r] = 0.5f + rng.nextFloat();
    }
  }
}
