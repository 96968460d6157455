package org.sparkprop.data;

import java.util.List;
import org.sparkprop.linalg.Rng;
import org.sparkprop.nn.Loss;
import org.sparkprop.nn.Network;

/** Operations on blocks: label checks, gathering rows, splitting, concatenating. */
public final class Blocks {

  private Blocks() {}

  /**
   * Checks that the block fits the network: feature count, label width, and every label valid for
   * the loss (class index in range, binary 0/1, finite target). Errors name the row and the fix.
   */
  public static void checkFits(Block b, Network net, String source) {
    if (b.features() != net.inputSize()) {
      throw new IllegalArgumentException(source + ": data has " + b.features() + " features but the "
          + "network '" + net.spec() + "' expects " + net.inputSize()
          + "; change the network's input size or the data");
    }
    if (b.labelWidth() != net.labelWidth()) {
      throw new IllegalArgumentException(source + ": data has " + b.labelWidth()
          + " label(s) per row but loss " + net.loss().name() + " with " + net.outputSize()
          + " outputs needs " + net.labelWidth());
    }
    checkLabels(b, net.loss(), net.outputSize(), source);
  }

  /** Throws on the first label the loss cannot train on. */
  public static void checkLabels(Block b, Loss loss, int outputWidth, String source) {
    float[] y = b.y();
    int lw = b.labelWidth();
    for (int r = 0; r < b.rows(); r++) {
      String problem = loss.checkLabel(y, r * lw, outputWidth);
      if (problem != null) {
        throw new IllegalArgumentException(source + ": row " + r + ": " + problem + " (loss "
            + loss.name() + ")");
      }
    }
  }

  /**
   * Copies rows {@code idx[from..to)} of {@code b} into the front of {@code x}, {@code y} and (if the
   * block is weighted) {@code w}: the gather that turns a shuffled mini-batch into contiguous memory.
   */
  public static void gather(Block b, int[] idx, int from, int to, float[] x, float[] y, float[] w) {
    int f = b.features();
    int lw = b.labelWidth();
    float[] bx = b.x();
    float[] by = b.y();
    float[] bw = b.w();
    for (int i = from; i < to; i++) {
      int r = idx[i];
      int k = i - from;
      System.arraycopy(bx, r * f, x, k * f, f);
      System.arraycopy(by, r * lw, y, k * lw, lw);
      if (bw != null) {
        w[k] = bw[r];
      }
    }
  }

  /** Rows {@code idx[from..to)} as a new block. */
  public static Block select(Block b, int[] idx, int from, int to, String source) {
    int n = to - from;
    float[] x = new float[n * b.features()];
    float[] y = new float[n * b.labelWidth()];
    float[] w = b.weighted() ? new float[n] : null;
    gather(b, idx, from, to, x, y, w);
    return new Block(n, b.features(), b.labelWidth(), x, y, w, source);
  }

  /** A seeded random split into (first, second) with {@code fraction} of rows in the second. */
  public static Block[] split(Block b, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
    }
    int[] idx = identity(b.rows());
    new Rng(Rng.derive(seed, Rng.SPLIT)).shuffle(idx, idx.length);
    int second = (int) Math.round(b.rows() * fraction);
    if (second == 0 || second == b.rows()) {
      throw new IllegalArgumentException("a validation fraction of " + fraction + " of " + b.rows()
          + " rows leaves one side empty");
    }
    int first = b.rows() - second;
    java.util.Arrays.sort(idx, 0, first);
    java.util.Arrays.sort(idx, first, idx.length);
    return new Block[] {select(b, idx, 0, first, "train split"),
        select(b, idx, first, idx.length, "validation split")};
  }

  /** Concatenates blocks with equal widths. */
  public static Block concat(List<Block> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    Block first = parts.get(0);
    int rows = 0;
    boolean weighted = first.weighted();
    for (Block p : parts) {
      if (p.features() != first.features() || p.labelWidth() != first.labelWidth()) {
        throw new IllegalArgumentException("blocks differ in width: " + first + " vs " + p);
      }
      weighted |= p.weighted();
      rows += p.rows();
    }
    float[] x = new float[rows * first.features()];
    float[] y = new float[rows * first.labelWidth()];
    float[] w = weighted ? new float[rows] : null;
    int r = 0;
    for (Block p : parts) {
      System.arraycopy(p.x(), 0, x, r * first.features(), p.x().length);
      System.arraycopy(p.y(), 0, y, r * first.labelWidth(), p.y().length);
      if (w != null) {
        if (p.weighted()) {
          System.arraycopy(p.w(), 0, w, r, p.rows());
        } else {
          java.util.Arrays.fill(w, r, r + p.rows(), 1f);
        }
      }
      r += p.rows();
    }
    return new Block(rows, first.features(), first.labelWidth(), x, y, w, "concatenation");
  }

  /** Splits a block into {@code parts} contiguous pieces of near-equal size (shards, partitions). */
  public static List<Block> shards(Block b, int parts) {
    int[] idx = identity(b.rows());
    java.util.List<Block> out = new java.util.ArrayList<>();
    for (int p = 0; p < parts; p++) {
      int lo = (int) ((long) p * b.rows() / parts);
      int hi = (int) ((long) (p + 1) * b.rows() / parts);
      out.add(select(b, idx, lo, hi, "shard " + p));
    }
    return out;
  }

  /** Labels as class indices (for binary ±1 labels: 1 if positive, else 0). */
  public static int classOf(float label, int outputWidth) {
    return outputWidth == 1 ? (label > 0 ? 1 : 0) : (int) label;
  }

  public static int[] identity(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }
}
