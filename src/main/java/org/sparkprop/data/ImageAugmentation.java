package org.sparkprop.data;

import org.sparkprop.linalg.Rng;

/**
 * Random shifts and Gaussian noise for row-major images of {@code height × width} pixels.
 * Each image moves by an integer offset in [−maxShift, maxShift] on both axes (pixels shifted in
 * are 0) and then gets N(0, noiseStd²) noise, clamped to [0, 1].
 */
public final class ImageAugmentation implements Augmentation {

  private final int height;
  private final int width;
  private final int maxShift;
  private final float noiseStd;
  /** One image of scratch per thread: the trainer calls apply from several threads at once. */
  private final ThreadLocal<float[]> scratch;

  public ImageAugmentation(int height, int width, int maxShift, double noiseStd) {
    if (height <= 0 || width <= 0 || maxShift < 0 || !(noiseStd >= 0)) {
      throw new IllegalArgumentException("bad image augmentation: " + height + "x" + width
          + ", shift " + maxShift + ", noise " + noiseStd);
    }
    this.height = height;
    this.width = width;
    this.maxShift = maxShift;
    this.noiseStd = (float) noiseStd;
    this.scratch = ThreadLocal.withInitial(() -> new float[height * width]);
  }

  @Override
  public void apply(float[] x, int rows, int features, Rng rng) {
    if (features != height * width) {
      throw new IllegalArgumentException("image augmentation for " + height + "x" + width
          + " images got rows of " + features + " features");
    }
    float[] tmp = scratch.get();
    for (int r = 0; r < rows; r++) {
      int off = r * features;
      if (maxShift > 0) {
        int dy = rng.nextInt(2 * maxShift + 1) - maxShift;
        int dx = rng.nextInt(2 * maxShift + 1) - maxShift;
        System.arraycopy(x, off, tmp, 0, features);
        for (int i = 0; i < height; i++) {
          int si = i - dy;
          for (int j = 0; j < width; j++) {
            int sj = j - dx;
            boolean inside = si >= 0 && si < height && sj >= 0 && sj < width;
            x[off + i * width + j] = inside ? tmp[si * width + sj] : 0f;
          }
        }
      }
      if (noiseStd > 0) {
        for (int k = 0; k < features; k++) {
          float v = x[off + k] + noiseStd * (float) rng.nextGaussian();
          x[off + k] = Math.min(1f, Math.max(0f, v));
        }
      }
    }
  }
}
