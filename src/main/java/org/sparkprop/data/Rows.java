package org.sparkprop.data;

/**
 * Rows a mini-batch is gathered from: one {@link Block}, or a partition's several blocks
 * ({@link BlockList}) addressed as one sequence. Row indices run over all of them, 0 … rows − 1.
 */
public interface Rows {

  int rows();

  int features();

  int labelWidth();

  /** True when rows carry sample weights (rows without one weigh 1). */
  boolean weighted();

  /**
   * Copies rows {@code idx[from..to)} into the front of {@code x} (rows × features), {@code y}
   * (rows × labelWidth) and, when {@link #weighted}, {@code w}: the gather that turns a shuffled
   * mini-batch into contiguous memory.
   */
  void gather(int[] idx, int from, int to, float[] x, float[] y, float[] w);
}
