package org.sparkprop.data;

import org.sparkprop.linalg.Rng;

/**
 * The lectures' toy datasets, generated reproducibly from a seed. Every generator returns a block
 * with 2-D (or {@code dims}-D) features and class-index labels.
 */
public final class ToySets {

  private ToySets() {}

  /** XOR: points in [−1, 1]², label 1 when the coordinates have opposite signs; Gaussian noise added. */
  public static Block xor(int n, double noise, long seed) {
    Rng rng = new Rng(Rng.derive(seed, 0x0A));
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double a = 2 * rng.nextDouble() - 1;
      double b = 2 * rng.nextDouble() - 1;
      y[i] = (a > 0) != (b > 0) ? 1 : 0;
      x[2 * i] = (float) (a + noise * rng.nextGaussian());
      x[2 * i + 1] = (float) (b + noise * rng.nextGaussian());
    }
    return new Block(n, 2, 1, x, y, null, "xor");
  }

  /** Two interleaving half circles (scikit-learn's make_moons geometry). */
  public static Block twoMoons(int n, double noise, long seed) {
    Rng rng = new Rng(Rng.derive(seed, 0x0B));
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      double t = Math.PI * rng.nextDouble();
      double a = c == 0 ? Math.cos(t) : 1 - Math.cos(t);
      double b = c == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      y[i] = c;
      x[2 * i] = (float) (a + noise * rng.nextGaussian());
      x[2 * i + 1] = (float) (b + noise * rng.nextGaussian());
    }
    return new Block(n, 2, 1, x, y, null, "two moons");
  }

  /** Two concentric circles: radius 1 (label 0) and radius {@code factor} (label 1). */
  public static Block circles(int n, double factor, double noise, long seed) {
    Rng rng = new Rng(Rng.derive(seed, 0x0C));
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % 2;
      double t = 2 * Math.PI * rng.nextDouble();
      double r = c == 0 ? 1 : factor;
      y[i] = c;
      x[2 * i] = (float) (r * Math.cos(t) + noise * rng.nextGaussian());
      x[2 * i + 1] = (float) (r * Math.sin(t) + noise * rng.nextGaussian());
    }
    return new Block(n, 2, 1, x, y, null, "circles");
  }

  /** {@code k} isotropic Gaussian blobs in {@code dims} dimensions, centres uniform in [−5, 5]. */
  public static Block blobs(int n, int k, int dims, double std, long seed) {
    Rng rng = new Rng(Rng.derive(seed, 0x0D));
    double[] centres = new double[k * dims];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = 10 * rng.nextDouble() - 5;
    }
    float[] x = new float[n * dims];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      int c = i % k;
      y[i] = c;
      for (int d = 0; d < dims; d++) {
        x[i * dims + d] = (float) (centres[c * dims + d] + std * rng.nextGaussian());
      }
    }
    return new Block(n, dims, 1, x, y, null, "blobs");
  }

  /** A noisy linear regression set: y = x·β + b + ε, β drawn from N(0,1), returned with the truth. */
  public record Regression(Block block, float[] beta, float bias) {}

  public static Regression linear(int n, int dims, double noise, long seed) {
    return linear(n, dims, noise, seed, seed);
  }

  /**
   * As above, with the truth (β, b) drawn from {@code truthSeed} and the rows from {@code dataSeed},
   * so a training and a test set can share one truth.
   */
  public static Regression linear(int n, int dims, double noise, long truthSeed, long dataSeed) {
    Rng truth = new Rng(Rng.derive(truthSeed, 0x0E));
    float[] beta = new float[dims];
    for (int d = 0; d < dims; d++) {
      beta[d] = (float) truth.nextGaussian();
    }
    float bias = (float) truth.nextGaussian();
    Rng rng = new Rng(Rng.derive(dataSeed, 0x0F));
    float[] x = new float[n * dims];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = bias;
      for (int d = 0; d < dims; d++) {
        float v = (float) rng.nextGaussian();
        x[i * dims + d] = v;
        s += v * beta[d];
      }
      y[i] = (float) (s + noise * rng.nextGaussian());
    }
    return new Regression(new Block(n, dims, 1, x, y, null, "linear regression"), beta, bias);
  }
}
