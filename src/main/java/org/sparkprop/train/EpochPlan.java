package org.sparkprop.train;

import org.sparkprop.linalg.Rng;

/**
 * Which rows make up each mini-batch: the one definition shared by the local trainer and every
 * Spark task, so that they train on exactly the same batches.
 *
 * <pre>
 *   N = Σ_p n_p rows in P partitions (the local trainer: P = 1, or the shards it was given)
 *   S = min(⌈N / B⌉, max_p n_p) steps per epoch (B ≥ N: one step, full-batch gradient descent;
 *       the cap keeps every step non-empty when B is smaller than the number of partitions)
 *   π_{e,p} = permutation of partition p's rows in epoch e, seeded by (seed, e, p)
 *   step s of epoch e takes, from every partition p, the rows π_{e,p}[⌊s·n_p/S⌋ .. ⌊(s+1)·n_p/S⌋)
 * </pre>
 * So each global batch has about B rows, drawn from the partitions in proportion to their sizes,
 * without replacement within an epoch; every row is used exactly once per epoch; and a retried task
 * recomputes the same rows from (seed, epoch, partition) alone.
 */
public final class EpochPlan {

  private EpochPlan() {}

  /**
   * S = min(⌈N / B⌉, largest partition), at least 1; {@code batchSize <= 0} means full batch. With
   * S ≤ n_p for the largest partition p, every step takes at least one of its rows.
   */
  public static int stepsPerEpoch(int[] partitionRows, int batchSize) {
    long total = 0;
    int largest = 0;
    for (int n : partitionRows) {
      total += n;
      largest = Math.max(largest, n);
    }
    if (total <= 0) {
      throw new IllegalArgumentException("cannot plan epochs over an empty dataset");
    }
    if (batchSize <= 0 || batchSize >= total) {
      return 1;
    }
    return (int) Math.min((total + batchSize - 1) / batchSize, largest);
  }

  /** First position (in the epoch's permutation) of step s's rows in a partition of n rows. */
  public static int chunkStart(int n, int s, int stepsPerEpoch) {
    return (int) ((long) s * n / stepsPerEpoch);
  }

  /**
   * The row order of window k of partition p's stream in epoch e ({@link StreamedRows}): window 0
   * takes the partition's own permutation, so one window of all rows is the in-memory order.
   */
  public static void windowPermutation(long seed, long epoch, int partition, int window,
                                       boolean shuffle, int[] out, int n) {
    if (window == 0) {
      permutation(seed, epoch, partition, shuffle, out, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    if (shuffle) {
      new Rng(Rng.derive(seed, Rng.SHUFFLE, epoch, partition, window)).shuffle(out, n);
    }
  }

  /** Writes partition p's row order for epoch e into {@code out[0..n)}; identity without shuffling. */
  public static void permutation(long seed, long epoch, int partition, boolean shuffle, int[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    if (shuffle) {
      new Rng(Rng.derive(seed, Rng.SHUFFLE, epoch, partition)).shuffle(out, n);
    }
  }

  /**
   * The noise seed (dropout, augmentation) for the rows of global step t on partition p that start
   * {@code offset} rows into the partition's chunk of that step. The local trainer and Spark tasks
   * use the same seeds, so they draw the same dropout masks.
   */
  public static long noiseSeed(long seed, long step, int partition, int offset) {
    return Rng.derive(seed, Rng.DROPOUT, step, partition, offset);
  }
}
