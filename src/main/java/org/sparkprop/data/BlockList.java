package org.sparkprop.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A partition's rows held as several blocks and addressed as one sequence, without joining them:
 *
 * <pre>
 *   start[k] = Σ_{j<k} rows(block j)          row i is row i − start[k] of the k with
 *                                             start[k] ≤ i &lt; start[k + 1]
 * </pre>
 * Packing caps each block at {@link #BLOCK_FLOATS} feature values, so a partition of any size needs
 * no array past 2^31 floats and no second copy to join its pieces; a mini-batch gathers across
 * blocks, one binary search per row. Every block has the same widths. The list is weighted when
 * any block is; rows of the others weigh 1, as in {@link Blocks#concat}, so a list trains exactly
 * as the concatenation of its blocks would.
 */
public final class BlockList implements Rows {

  /** The most feature values packing puts in one block: 2^22 floats, 16 MB. */
  public static final int BLOCK_FLOATS = 1 << 22;

  private final Block[] blocks;
  private final int[] start;
  private final int rows;
  private final int features;
  private final int labelWidth;
  private final boolean weighted;

  private BlockList(List<Block> parts) {
    this.blocks = parts.toArray(new Block[0]);
    this.start = new int[blocks.length];
    Block first = blocks[0];
    long n = 0;
    boolean anyWeighted = false;
    for (int k = 0; k < blocks.length; k++) {
      Block b = blocks[k];
      if (b.features() != first.features() || b.labelWidth() != first.labelWidth()) {
        throw new IllegalArgumentException("the blocks of a partition differ in width: " + first
            + " and " + b);
      }
      start[k] = (int) n;
      n += b.rows();
      anyWeighted |= b.weighted();
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a partition holds more than " + (Integer.MAX_VALUE - 8)
            + " rows; repartition the data into more partitions");
      }
    }
    this.rows = (int) n;
    this.features = first.features();
    this.labelWidth = first.labelWidth();
    this.weighted = anyWeighted;
  }

  /** The non-empty blocks of a partition, in order; null when it has no rows. */
  public static BlockList of(Iterator<Block> it) {
    List<Block> parts = new ArrayList<>();
    while (it.hasNext()) {
      Block b = it.next();
      if (b.rows() > 0) {
        parts.add(b);
      }
    }
    return parts.isEmpty() ? null : new BlockList(parts);
  }

  /** As {@link #of(Iterator)}, from a list. */
  public static BlockList of(List<Block> blocks) {
    return of(blocks.iterator());
  }

  public int blockCount() {
    return blocks.length;
  }

  public Block block(int k) {
    return blocks[k];
  }

  /** The index of block k's first row in the whole sequence. */
  public int start(int k) {
    return start[k];
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

  @Override
  public void gather(int[] idx, int from, int to, float[] x, float[] y, float[] w) {
    if (blocks.length == 1 && blocks[0].weighted() == weighted) {
      blocks[0].gather(idx, from, to, x, y, w);
      return;
    }
    for (int i = from; i < to; i++) {
      copyRow(idx[i], x, y, w, i - from);
    }
  }

  /** Copies row r (of the whole sequence) to row {@code out} of x, y and, if weighted, w. */
  public void copyRow(int r, float[] x, float[] y, float[] w, int out) {
    int k = blocks.length == 1 ? 0 : Arrays.binarySearch(start, r);
    if (k < 0) {
      k = -k - 2;                                         // the block whose range holds r
    }
    Block b = blocks[k];
    int local = r - start[k];
    System.arraycopy(b.x(), local * features, x, out * features, features);
    System.arraycopy(b.y(), local * labelWidth, y, out * labelWidth, labelWidth);
    if (weighted) {
      w[out] = b.weighted() ? b.w()[local] : 1f;
    }
  }

  /** The rows as one block (a copy when there are several): for data small enough to join. */
  public Block joined() {
    return blocks.length == 1 ? blocks[0] : Blocks.concat(Arrays.asList(blocks));
  }

  @Override
  public String toString() {
    return "BlockList(" + rows + " rows in " + blocks.length + " blocks)";
  }
}
