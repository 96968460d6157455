package org.sparkprop.data;

import java.util.Locale;

/**
 * Per-feature affine scaling {@code x' = (x − shift) · scale}, fitted on training data only and
 * saved with the model, so that validation, test and serving data are scaled the same way.
 *
 * <pre>
 *   none       shift = 0,     scale = 1
 *   minmax     shift = min,   scale = 1 / (max − min)     → training data in [0, 1]
 *   standard   shift = mean,  scale = 1 / std (population) → training data mean 0, variance 1
 * </pre>
 * A constant feature (max = min, std = 0) gets scale 1, so it maps to 0 rather than to NaN.
 */
public record Scaler(Kind kind, float[] shift, float[] scale) implements java.io.Serializable {

  public enum Kind { NONE, MINMAX, STANDARD;

    public static Kind parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("scaling must be none, minmax or standard, got '" + s + "'");
      }
    }
  }

  public Scaler {
    if (shift.length != scale.length) {
      throw new IllegalArgumentException("scaler shift and scale differ in length");
    }
  }

  public int features() {
    return shift.length;
  }

  /** Fits the scaling on {@code train}. */
  public static Scaler fit(Kind kind, Block train) {
    return new Stats().add(train).toScaler(kind, train.features());
  }

  /**
   * Mergeable per-feature statistics, so a scaler can be fitted on data spread over partitions:
   * accumulate each partition's block, merge, then {@link #toScaler}. Merging order changes only the
   * last bits of the double sums.
   */
  public static final class Stats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    double[] sum;
    double[] sq;
    float[] min;
    float[] max;

    public Stats add(Block b) {
      if (b.rows() == 0) {
        return this;                                     // empty partitions carry no width
      }
      int f = b.features();
      if (sum == null) {
        sum = new double[f];
        sq = new double[f];
        min = new float[f];
        max = new float[f];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
      }
      float[] x = b.x();
      for (int r = 0; r < b.rows(); r++) {
        for (int j = 0; j < f; j++) {
          float v = x[r * f + j];
          sum[j] += v;
          sq[j] += (double) v * v;
          min[j] = Math.min(min[j], v);
          max[j] = Math.max(max[j], v);
        }
      }
      rows += b.rows();
      return this;
    }

    public Stats merge(Stats o) {
      if (o.sum == null) {
        return this;
      }
      if (sum == null) {
        return o;
      }
      for (int j = 0; j < sum.length; j++) {
        sum[j] += o.sum[j];
        sq[j] += o.sq[j];
        min[j] = Math.min(min[j], o.min[j]);
        max[j] = Math.max(max[j], o.max[j]);
      }
      rows += o.rows;
      return this;
    }

    public Scaler toScaler(Kind kind, int features) {
      float[] shift = new float[features];
      float[] scale = new float[features];
      java.util.Arrays.fill(scale, 1f);
      if (kind == Kind.NONE || rows == 0) {
        return new Scaler(kind, shift, scale);
      }
      for (int j = 0; j < features; j++) {
        if (kind == Kind.MINMAX) {
          shift[j] = min[j];
          float range = max[j] - min[j];
          scale[j] = range > 0 ? 1f / range : 1f;
        } else {
          double mean = sum[j] / rows;
          double var = Math.max(0, sq[j] / rows - mean * mean);
          shift[j] = (float) mean;
          scale[j] = var > 1e-12 ? (float) (1 / Math.sqrt(var)) : 1f;
        }
      }
      return new Scaler(kind, shift, scale);
    }
  }

  /** Identity scaling for {@code features} features. */
  public static Scaler none(int features) {
    float[] scale = new float[features];
    java.util.Arrays.fill(scale, 1f);
    return new Scaler(Kind.NONE, new float[features], scale);
  }

  /** A scaled copy of {@code b} (the original is untouched). */
  public Block apply(Block b) {
    if (kind == Kind.NONE || b.rows() == 0) {
      return b;
    }
    checkWidth(b.features());
    float[] x = b.x().clone();
    for (int r = 0; r < b.rows(); r++) {
      applyInPlace(x, r * b.features());
    }
    return new Block(b.rows(), b.features(), b.labelWidth(), x, b.y(), b.w(), "scaled data");
  }

  /** Scales one row {@code x[offset .. offset + features)} in place. */
  public void applyInPlace(float[] x, int offset) {
    if (kind == Kind.NONE) {
      return;
    }
    for (int j = 0; j < shift.length; j++) {
      x[offset + j] = (x[offset + j] - shift[j]) * scale[j];
    }
  }

  public void checkWidth(int features) {
    if (features != shift.length) {
      throw new IllegalArgumentException("data has " + features + " features but the scaler was "
          + "fitted on " + shift.length);
    }
  }
}
