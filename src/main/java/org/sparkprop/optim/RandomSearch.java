package org.sparkprop.optim;

import org.sparkprop.linalg.Rng;

/**
 * The lectures' "first very bad idea", kept as a baseline: draw random weight vectors and keep the
 * one with the lowest objective. Each trial draws every weight from N(0, scale²) (biases included)
 * from the stream (seed, trial), so the search is reproducible.
 *
 * @param trials number of random weight vectors tried
 * @param scale standard deviation of the draws
 */
public record RandomSearch(int trials, double scale) {

  public RandomSearch {
    if (trials <= 0 || !(scale > 0)) {
      throw new IllegalArgumentException("random search needs trials > 0 and scale > 0, got "
          + trials + ", " + scale);
    }
  }

  /** Best weights found and their objective. */
  public record Result(float[] weights, double objective, int bestTrial) {}

  /** Returns the best of {@code trials} random vectors of length {@code n} under {@code f}. */
  public Result search(Objective f, int n, long seed) {
    float[] w = new float[n];
    float[] best = new float[n];
    double bestValue = Double.POSITIVE_INFINITY;
    int bestTrial = -1;
    Rng rng = new Rng(0);
    for (int t = 0; t < trials; t++) {
      rng.reseed(Rng.derive(seed, Rng.SEARCH, t));
      for (int i = 0; i < n; i++) {
        w[i] = (float) (rng.nextGaussian() * scale);
      }
      double v = f.evaluate(w, null);
      if (v < bestValue) {
        bestValue = v;
        bestTrial = t;
        System.arraycopy(w, 0, best, 0, n);
      }
    }
    return new Result(best, bestValue, bestTrial);
  }
}
