package org.sparkprop.spark;

import java.io.Serializable;
import java.util.Iterator;
import org.sparkprop.data.Block;
import org.sparkprop.data.BlockList;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Rows;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.StreamedRows;
import org.sparkprop.train.TrainConfig;

/**
 * The small, serialisable description of one job that every task needs besides the snapshot: which
 * global steps to run and everything that derives the rows and random streams of those steps.
 *
 * @param config the engine's training config (learning rate already scaled, if asked)
 * @param firstStep the 1-based global step of the round's first update
 * @param steps how many steps (1 in synchronous mode, H in local SGD); all in one epoch
 * @param stepsPerEpoch S of {@link org.sparkprop.train.EpochPlan}
 * @param partitionRows rows of every partition, so each task knows its share of the round
 * @param lrScale the driver's learning-rate multiplier (halved by skipped divergent steps)
 * @param skippedBefore divergent steps skipped before the round (optimizers count updates applied)
 * @param totalSteps the run's length in steps, for schedules such as cosine
 * @param streamWindowRows 0: a task holds its partition's rows and shuffles all of them; W > 0:
 *     it streams them, shuffled within windows of at least W rows ({@link StreamedRows})
 */
record RoundPlan(TrainConfig config, long firstStep, int steps, int stepsPerEpoch,
                 int[] partitionRows, double lrScale, long skippedBefore, long totalSteps,
                 int streamWindowRows)
    implements Serializable {

  /**
   * Partition p's rows for this job from its blocks, and their order for the epoch: in memory
   * with the epoch's permutation, or streamed in window order (then the order is the identity:
   * the stream is already shuffled).
   */
  EpochRows rowsOf(int p, Iterator<Block> blocks) {
    int n = partitionRows[p];
    if (streamWindowRows > 0) {
      if (n == 0) {
        return null;
      }
      return new EpochRows(new StreamedRows(blocks, n, streamWindowRows, config.seed(), epoch(), p,
          config.shuffle()), Blocks.identity(n));
    }
    BlockList list = BlockList.of(blocks);
    if (list == null) {
      return null;
    }
    if (list.rows() != n) {
      throw new IllegalStateException("partition " + p + " holds " + list.rows() + " rows, "
          + n + " were counted: the data changed between jobs");
    }
    int[] perm = new int[n];
    EpochPlan.permutation(config.seed(), epoch(), p, config.shuffle(), perm, n);
    return new EpochRows(list, perm);
  }

  /** A partition's rows for a job and their order: position i of the epoch is row order[i]. */
  record EpochRows(Rows rows, int[] order) {}

  /** The update rule every task of this job applies (schedule over the whole run). */
  org.sparkprop.train.UpdateRule updateRule(org.sparkprop.optim.Optimizer optimizer,
                                            org.sparkprop.nn.Network net) {
    return new org.sparkprop.train.UpdateRule(optimizer, config.buildSchedule(totalSteps),
        config.buildPenalty(), config.clipNorm(), net.segments());
  }

  int epoch() {
    return (int) ((firstStep - 1) / stepsPerEpoch);
  }

  /** Step index within its epoch (0-based) of global step t. */
  int stepInEpoch(long t) {
    return (int) ((t - 1) % stepsPerEpoch);
  }

  /** Rows partition p contributes to step index s of an epoch. */
  int rowsOf(int p, int s) {
    int n = partitionRows[p];
    return org.sparkprop.train.EpochPlan.chunkStart(n, s + 1, stepsPerEpoch)
        - org.sparkprop.train.EpochPlan.chunkStart(n, s, stepsPerEpoch);
  }

  /** Rows partition p contributes to the whole round, over all partitions' total. */
  double share(int p) {
    long mine = 0;
    long all = 0;
    for (int q = 0; q < partitionRows.length; q++) {
      for (long t = firstStep; t < firstStep + steps; t++) {
        int r = rowsOf(q, stepInEpoch(t));
        all += r;
        if (q == p) {
          mine += r;
        }
      }
    }
    return all == 0 ? 0 : mine / (double) all;
  }
}
