package org.sparkprop.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.sparkprop.data.Block;
import org.sparkprop.data.BlockList;
import org.sparkprop.data.Rows;

/**
 * A partition's rows read once, forward, from an iterator of blocks that need not fit in memory
 * together (a cached partition Spark spilled to disk and deserialises block by block). The
 * epoch's row order is the partition's windows in order, each shuffled on its own:
 *
 * <pre>
 *   window k   the fewest consecutive blocks, from where window k − 1 ended, holding ≥ W rows
 *   position p of the epoch, start_k ≤ p &lt; start_{k+1}  →  row π_k[p − start_k] of window k
 *   π_0        the partition's in-memory permutation, so one window of every row is that order
 * </pre>
 * ({@link EpochPlan#windowPermutation}). {@link #gather} takes positions in the epoch's order:
 * each must lie in the current window, the one before it (a mini-batch may straddle the two) or
 * later (the windows between are read and dropped: a job that starts mid-epoch skips ahead). So
 * a task holds at most two windows and the block being read. Rows are weighted when the first
 * block is (rows of unweighted blocks then weigh 1, as in a concatenation); a weighted block
 * after an unweighted first one is refused.
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
  private Block pending;
  private Window previous;
  private Window current;
  private int windowsRead;
  private int rowsRead;

  /** Rows of consecutive blocks, their first position in the epoch, and their order. */
  private record Window(BlockList rows, int start, int[] order) {
    int end() {
      return start + rows.rows();
    }
  }

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

  /** Windows read so far, the ones skipped included. */
  public int windowsRead() {
    return windowsRead;
  }

  @Override
  public void gather(int[] idx, int from, int to, float[] x, float[] y, float[] w) {
    for (int i = from; i < to; i++) {
      int p = idx[i];
      Window win = windowOf(p);
      win.rows.copyRow(win.order[p - win.start], x, y, w, i - from);
      if (weighted && !win.rows.weighted()) {
        w[i - from] = 1f;                                 // a window of unweighted blocks
      }
    }
  }

  private Window windowOf(int p) {
    if (p < 0 || p >= rows) {
      throw new IndexOutOfBoundsException("position " + p + " outside the partition's " + rows
          + " rows");
    }
    while (current == null || p >= current.end()) {
      previous = current;
      current = readWindow(current == null ? 0 : current.end());
    }
    if (p >= current.start) {
      return current;
    }
    if (previous != null && p >= previous.start) {
      return previous;
    }
    throw new IllegalStateException("position " + p + " was asked after the stream had moved past it"
        + " (a streamed partition is read forward only)");
  }

  private Window readWindow(int start) {
    List<Block> parts = new ArrayList<>();
    int n = 0;
    while (n < windowRows && pending != null) {
      if (pending.features() != features || pending.labelWidth() != labelWidth) {
        throw new IllegalArgumentException("the blocks of partition " + partition + " differ in "
            + "width: " + pending + " after " + features + " features");
      }
      if (pending.weighted() && !weighted) {
        throw new IllegalArgumentException("a block of partition " + partition + " has sample "
            + "weights but its first block has none: a stream takes its weighting from its first "
            + "block (pack the data with one weight column throughout)");
      }
      parts.add(pending);
      n += pending.rows();
      pending = nextNonEmpty();
    }
    rowsRead += n;
    if (n == 0 || rowsRead > rows || (pending == null && rowsRead != rows)) {
      throw new IllegalStateException("partition " + partition + " streamed " + rowsRead
          + " rows, " + rows + " were counted: the data changed between jobs");
    }
    int[] order = new int[n];
    EpochPlan.windowPermutation(seed, epoch, partition, windowsRead, shuffle, order, n);
    windowsRead++;
    return new Window(BlockList.of(parts), start, order);
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
