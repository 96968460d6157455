package org.sparkprop.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.sparkprop.data.Block;
import org.sparkprop.data.BlockList;

/**
 * Packs one partition's rows (features Vector, label, optional weight: columns 0, 1, 2) into
 * blocks of at most {@link BlockList#BLOCK_FLOATS} feature values, one block per {@link #next},
 * validating every row as it goes (null or non-finite features, varying vector sizes, null or
 * non-finite labels and weights): a bad row fails with a message that names it.
 *
 * <p>Blocks are made lazily, so a partition of any size is packed with at most one block under
 * construction besides the blocks already handed on: its peak is the packed partition plus about
 * 2.5 blocks (an array grown by half, then trimmed), never a second copy of the partition, and no
 * single array approaches the JVM's 2^31 limit. Once a block is full the next is allocated at its
 * final size. An empty partition yields one empty block (it still has a width).
 */
final class RowPacker implements Iterator<Block> {

  private final Iterator<Row> rows;
  private final int expectedFeatures;
  private final boolean vectorLabel;
  private final boolean weighted;
  private final int blockFloats;
  private int features;
  private int labelWidth = -1;
  /** Rows packed so far in this partition: the row numbers errors give. */
  private long r;
  private boolean emitted;
  private boolean lastWasFull;

  RowPacker(Iterator<Row> rows, int expectedFeatures, boolean vectorLabel, boolean weighted) {
    this(rows, expectedFeatures, vectorLabel, weighted, BlockList.BLOCK_FLOATS);
  }

  /** As above, blocks of at most {@code blockFloats} feature values (tests use small ones). */
  RowPacker(Iterator<Row> rows, int expectedFeatures, boolean vectorLabel, boolean weighted,
            int blockFloats) {
    this.blockFloats = blockFloats;
    this.rows = rows;
    this.expectedFeatures = expectedFeatures;
    this.features = expectedFeatures;
    this.vectorLabel = vectorLabel;
    this.weighted = weighted;
  }

  @Override
  public boolean hasNext() {
    return rows.hasNext() || !emitted;
  }

  @Override
  public Block next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    emitted = true;
    int cap = features > 0 ? maxRows() : Integer.MAX_VALUE;
    FloatList x = new FloatList(lastWasFull ? (long) cap * features : 1024);
    FloatList y = new FloatList(lastWasFull && labelWidth > 0 ? (long) cap * labelWidth : 1024);
    FloatList w = new FloatList(lastWasFull && weighted ? cap : 16);
    int n = 0;
    while (n < cap && rows.hasNext()) {
      pack(rows.next(), x, y, w);
      n++;
      r++;
      if (n == 1) {
        cap = maxRows();                                 // the width is known now
      }
    }
    lastWasFull = n == cap;
    if (n == 0) {
      return Block.empty(Math.max(1, features), Math.max(1, labelWidth), weighted);
    }
    return new Block(n, features, labelWidth, x.trimmed(), y.trimmed(), weighted ? w.trimmed() : null,
        "partition");
  }

  /** Rows per block: as many as fit {@code blockFloats} feature values, at least one. */
  private int maxRows() {
    return Math.max(1, blockFloats / features);
  }

  private void pack(Row row, FloatList x, FloatList y, FloatList w) {
    if (row.isNullAt(0)) {
      throw new IllegalArgumentException("row " + r + " of a partition has a null features vector; "
          + "drop or impute such rows first");
    }
    Vector v = row.getAs(0);
    if (features <= 0) {
      features = v.size();
    }
    if (v.size() != features) {
      throw new IllegalArgumentException("row " + r + " of a partition has " + v.size()
          + " features, expected " + features + " (every vector must have the same size"
          + (expectedFeatures > 0 ? ", the network's input width" : "") + ")");
    }
    int before = x.size;
    x.ensure((long) before + features);
    float[] xs = x.data;
    // Each vector's own arrays, read in order: a sparse row scatters its non-zeros (v.apply(j)
    // would binary-search every element).
    if (v instanceof SparseVector sv) {
      Arrays.fill(xs, before, before + features, 0f);
      int[] idx = sv.indices();
      double[] val = sv.values();
      for (int k = 0; k < idx.length; k++) {
        xs[before + idx[k]] = finiteFeature(val[k], idx[k]);
      }
    } else {
      double[] val = ((DenseVector) v).values();
      for (int j = 0; j < features; j++) {
        xs[before + j] = finiteFeature(val[j], j);
      }
    }
    x.size = before + features;
    if (row.isNullAt(1)) {
      throw new IllegalArgumentException("row " + r + " of a partition has a null label");
    }
    if (vectorLabel) {
      Vector lv = row.getAs(1);
      if (labelWidth < 0) {
        labelWidth = lv.size();
      } else if (lv.size() != labelWidth) {
        throw new IllegalArgumentException("label vectors have different sizes: " + lv.size()
            + " and " + labelWidth);
      }
      for (int k = 0; k < lv.size(); k++) {
        y.add(finite((float) lv.apply(k), "label"));
      }
    } else {
      labelWidth = 1;
      Object o = row.get(1);
      double label = o instanceof Boolean bool ? (bool ? 1 : 0) : ((Number) o).doubleValue();
      y.add(finite((float) label, "label"));
    }
    if (weighted) {
      if (row.isNullAt(2)) {
        throw new IllegalArgumentException("row " + r + " of a partition has a null weight");
      }
      float wt = finite(((Number) row.get(2)).floatValue(), "weight");
      if (wt < 0) {
        throw new IllegalArgumentException("row " + r + " has weight " + wt
            + "; weights must be >= 0");
      }
      w.add(wt);
    }
  }

  private float finite(float v, String what) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException("row " + r + " of a partition has " + what + " " + v
          + "; " + what + "s must be finite numbers");
    }
    return v;
  }

  private float finiteFeature(double v, int j) {
    float f = (float) v;
    if (!Float.isFinite(f)) {
      throw new IllegalArgumentException("row " + r + " of a partition has feature " + j + " = "
          + v + "; features must be finite float32 numbers (no NaN or Infinity)");
    }
    return f;
  }

  /** A growable float array, so packing allocates O(log n) times per block, not per row. */
  private static final class FloatList {
    /** The most floats one array holds (the JVM's limit, a little under 2^31). */
    static final int MAX_FLOATS = Integer.MAX_VALUE - 8;
    float[] data;
    int size;

    FloatList(long capacity) {
      data = new float[(int) Math.min(MAX_FLOATS, Math.max(16, capacity))];
    }

    /** Grows by half its size (at least what is asked), up to one array's limit. */
    void ensure(long capacity) {
      if (capacity > data.length) {
        if (capacity > MAX_FLOATS) {
          throw new IllegalArgumentException("one row holds more than " + MAX_FLOATS
              + " values, more than a Java array can");
        }
        long grown = Math.min(MAX_FLOATS, Math.max(capacity, data.length + (data.length >> 1)));
        data = Arrays.copyOf(data, (int) grown);
      }
    }

    void add(float v) {
      ensure(size + 1L);
      data[size++] = v;
    }

    float[] trimmed() {
      return size == data.length ? data : Arrays.copyOf(data, size);
    }
  }
}
