package org.sparkprop.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.sparkprop.data.Block;
import org.sparkprop.data.BlockList;
import org.sparkprop.data.Rows;

/**
 * A partition's rows read once, forward, from an iterator of blocks that need not fit in memory
 * together (a cached partition Spark keeps on disk and deserialises block by block). The epoch's
 * row order is the partition's windows of W consecutive rows in turn, each shuffled on its own:
 *
 * <pre>
 *   window k      rows kW … min(n, (k+1)W) − 1 of the partition, in its blocks' order
 *   position p    → window k = ⌊p / W⌋, row kW + π_k[p − kW]
 *   π_0           the partition's in-memory permutation, so W ≥ n gives exactly that order
 * </pre>
 * ({@link EpochPlan#windowPermutation}). Windows are counted in rows, not blocks, so how the rows
 * are cut into blocks never changes the order. {@link #gather} takes positions that never go
 * back (the trainers ask for each step's rows in order); a later window is read on demand, the
 * rows before it dropped, so a job that starts mid-epoch skips ahead. A task holds one window and
 * the partial blocks at its two ends. Rows are weighted when the first block is (rows of
 * unweighted blocks then weigh 1, as in a concatenation); a weighted block after an unweighted
 * first one is refused.
 */
public final class StreamedRows implements Rows {

  private final Iterator<Block> blocks;
  private final int rows;
  private final int windowRows;
  private final long seed;
  private final long epoch;
  private final int partition;
  private final boolean shuffle;
  private final int features;
  private final int labelWidth;
  private final boolean weighted;
  /** Blocks overlapping the current window, and the partition row each starts at. */
  private final List<Block> held = new ArrayList<>();
  private final List<Integer> heldStart = new ArrayList<>();
  private Block pending;
  private int rowsRead;
  private int window = -1;
  private int[] order;
  private int windowsRead;
  /** The held blocks as one sequence, and the partition row it starts at. */
  private BlockList current;
  private int currentStart;

  /**
   * @param rows the partition's row count (known from the fit's census); the blocks must hold
   *     exactly that many
   * @param windowRows W
   */
  public StreamedRows(Iterator<Block> blocks, int rows, int windowRows, long seed, long epoch,
                      int partition, boolean shuffle) {
    if (windowRows <= 0) {
      throw new IllegalArgumentException("streamWindowRows must be > 0, got " + windowRows);
    }
    this.blocks = blocks;
    this.rows = rows;
    this.windowRows = windowRows;
    this.seed = seed;
    this.epoch = epoch;
    this.partition = partition;
    this.shuffle = shuffle;
    this.pending = nextNonEmpty();
    if (pending == null) {
      throw new IllegalStateException("partition " + partition + " has no rows, " + rows
          + " were counted: the data changed between jobs");
    }
    this.features = pending.features();
    this.labelWidth = pending.labelWidth();
    this.weighted = pending.weighted();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int features() {
    return features;
  }

  @Override
  public int labelWidth() {
    return labelWidth;
  }

  @Override
  public boolean weighted() {
    return weighted;
  }

  /** Windows shuffled so far (a skipped window is read but not shuffled). */
  public int windowsRead() {
    return windowsRead;
  }

  @Override
  public void gather(int[] idx, int from, int to, float[] x, float[] y, float[] w) {
    for (int i = from; i < to; i++) {
      int p = idx[i];
      if (p < 0 || p >= rows) {
        throw new IndexOutOfBoundsException("position " + p + " outside the partition's " + rows
            + " rows");
      }
      int k = p / windowRows;
      if (k != window) {
        moveTo(k);
      }
      int start = k * windowRows;
      copyRow(start + order[p - start], x, y, w, i - from);
    }
  }

  /** Makes window k current: drops the rows before it, reads blocks up to its end, shuffles it. */
  private void moveTo(int k) {
    if (k < window) {
      throw new IllegalStateException("position in window " + k + " asked after window " + window
          + " (a streamed partition is read forward only)");
    }
    long start = (long) k * windowRows;
    int end = (int) Math.min(rows, start + windowRows);
    while (!held.isEmpty() && heldStart.get(0) + held.get(0).rows() <= start) {
      held.remove(0);
      heldStart.remove(0);
    }
    while (rowsRead < end) {
      if (pending == null) {
        throw new IllegalStateException("partition " + partition + " streamed " + rowsRead
            + " rows, " + rows + " were counted: the data changed between jobs");
      }
      check(pending);
      if (rowsRead + pending.rows() > start) {          // blocks wholly before the window: dropped
        held.add(pending);
        heldStart.add(rowsRead);
      }
      rowsRead += pending.rows();
      pending = nextNonEmpty();
    }
    if (rowsRead > rows || end == rows && pending != null) {
      throw new IllegalStateException("partition " + partition + " streamed " + rowsRead
          + " rows, " + rows + " were counted: the data changed between jobs");
    }
    int n = end - (int) start;
    if (order == null || order.length != n) {
      order = new int[n];
    }
    EpochPlan.windowPermutation(seed, epoch, partition, k, shuffle, order, n);
    current = BlockList.of(held);
    currentStart = heldStart.get(0);
    window = k;
    windowsRead++;
  }

  private void copyRow(int r, float[] x, float[] y, float[] w, int out) {
    current.copyRow(r - currentStart, x, y, w, out);
    if (weighted && !current.weighted()) {
      w[out] = 1f;                                        // a window of unweighted blocks
    }
  }

  private void check(Block b) {
    if (b.features() != features || b.labelWidth() != labelWidth) {
      throw new IllegalArgumentException("the blocks of partition " + partition + " differ in "
          + "width: " + b + " after " + features + " features");
    }
    if (b.weighted() && !weighted) {
      throw new IllegalArgumentException("a block of partition " + partition + " has sample "
          + "weights but its first block has none: a stream takes its weighting from its first "
          + "block (pack the data with one weight column throughout)");
    }
  }

  private Block nextNonEmpty() {
    while (blocks.hasNext()) {
      Block b = blocks.next();
      if (b.rows() > 0) {
        return b;
      }
    }
    return null;
  }
}
