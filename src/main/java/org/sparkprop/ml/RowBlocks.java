package org.sparkprop.ml;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

/**
 * A partition's rows in blocks, lazily: up to {@code maxRows} rows at a time have their features
 * written into {@link #x} (rows × features, row-major), {@link #score} runs once per block, and
 * {@link #output} makes each row's result. The batched transforms' shared loop.
 */
abstract class RowBlocks implements Iterator<Row> {

  private final Iterator<Row> rows;
  private final int featuresIndex;
  private final int features;
  private final Row[] block;
  /** The block's features: rows × features floats. */
  final float[] x;
  private int n;
  private int next;

  RowBlocks(Iterator<Row> rows, int featuresIndex, int features, int maxRows) {
    this.rows = rows;
    this.featuresIndex = featuresIndex;
    this.features = features;
    this.block = new Row[maxRows];
    this.x = new float[maxRows * features];
  }

  /** Scores the block's {@code rows} rows, whose features are in {@link #x}. */
  abstract void score(int rows);

  /** The output row for {@code input}, row {@code r} of the block just scored. */
  abstract Row output(Row input, int r);

  @Override
  public final boolean hasNext() {
    if (next < n) {
      return true;
    }
    n = 0;
    next = 0;
    while (n < block.length && rows.hasNext()) {
      Row r = rows.next();
      fill(r, featuresIndex, x, n * features, features);
      block[n++] = r;
    }
    if (n > 0) {
      score(n);
    }
    return n > 0;
  }

  @Override
  public final Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int r = next++;
    Row row = block[r];
    block[r] = null;
    return output(row, r);
  }

  /** Row {@code r}'s features vector (dense or sparse) into {@code x[offset, offset + f)}. */
  private static void fill(Row r, int featuresIndex, float[] x, int offset, int f) {
    Object v = r.get(featuresIndex);
    if (!(v instanceof Vector features)) {
      throw new IllegalArgumentException("a row has no features vector (" + v + ")");
    }
    if (features.size() != f) {
      throw new IllegalArgumentException("the model expects " + f + " features, but a row has "
          + features.size());
    }
    if (features instanceof DenseVector d) {
      double[] values = d.values();
      for (int i = 0; i < f; i++) {
        x[offset + i] = (float) values[i];
      }
    } else {
      SparseVector s = (SparseVector) features;
      java.util.Arrays.fill(x, offset, offset + f, 0f);
      int[] idx = s.indices();
      double[] values = s.values();
      for (int j = 0; j < idx.length; j++) {
        x[offset + idx[j]] = (float) values[j];
      }
    }
  }
}
