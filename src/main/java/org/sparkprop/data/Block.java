package org.sparkprop.data;

import java.io.Serializable;

/**
 * Rows packed once into contiguous float32 arrays: the unit of data the engine trains on, and what
 * every Spark partition holds (cached) for the whole run.
 *
 * <pre>
 *   x  (rows, features)    row-major
 *   y  (rows, labelWidth)  class index per row, or regression targets
 *   w  (rows)              sample weights, or null when every row weighs 1
 * </pre>
 * A block is validated when made: every feature, label and weight is finite and weights are
 * non-negative. Labels are checked against the loss separately ({@link Blocks#checkLabels}).
 * Blocks are {@link Serializable} so Spark can spill and ship them; they are data, never models.
 * They travel as {@link Wire}: the arrays as bulk bytes ({@link FloatWire}), checked again when read.
 */
public final class Block implements Serializable, Rows {

  private static final long serialVersionUID = 1L;

  private final int rows;
  private final int features;
  private final int labelWidth;
  private final float[] x;
  private final float[] y;
  private final float[] w;

  /** Wraps the arrays (no copy) after checking shapes and values; {@code source} names the data in errors. */
  public Block(int rows, int features, int labelWidth, float[] x, float[] y, float[] w, String source) {
    if (rows < 0 || features <= 0 || labelWidth <= 0) {
      throw new IllegalArgumentException(source + ": bad block shape rows=" + rows + " features="
          + features + " labelWidth=" + labelWidth);
    }
    if (x.length != rows * features || y.length != rows * labelWidth || (w != null && w.length != rows)) {
      throw new IllegalArgumentException(source + ": arrays do not match " + rows + " rows × "
          + features + " features (x=" + x.length + ", y=" + y.length
          + (w == null ? "" : ", w=" + w.length) + ")");
    }
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException(source + ": row " + (i / features) + ", feature "
            + (i % features) + " is " + x[i] + "; features must be finite (no NaN or Infinity)");
      }
    }
    for (int i = 0; i < y.length; i++) {
      if (!Float.isFinite(y[i])) {
        throw new IllegalArgumentException(source + ": row " + (i / labelWidth) + " has label "
            + y[i] + "; labels must be finite");
      }
    }
    if (w != null) {
      for (int i = 0; i < rows; i++) {
        if (!(w[i] >= 0) || Float.isInfinite(w[i])) {
          throw new IllegalArgumentException(source + ": row " + i + " has weight " + w[i]
              + "; sample weights must be finite and >= 0");
        }
      }
    }
    this.rows = rows;
    this.features = features;
    this.labelWidth = labelWidth;
    this.x = x;
    this.y = y;
    this.w = w;
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

  /** Features, (rows, features) row-major. Do not modify. */
  public float[] x() {
    return x;
  }

  /** Labels, (rows, labelWidth). Do not modify. */
  public float[] y() {
    return y;
  }

  /** Sample weights or null. Do not modify. */
  public float[] w() {
    return w;
  }

  @Override
  public boolean weighted() {
    return w != null;
  }

  /** Σ weights (rows when unweighted), in double. */
  public double weightSum() {
    if (w == null) {
      return rows;
    }
    double s = 0;
    for (float v : w) {
      s += v;
    }
    return s;
  }

  /** An empty block with this block's widths. */
  public static Block empty(int features, int labelWidth, boolean weighted) {
    return new Block(0, features, labelWidth, new float[0], new float[0],
        weighted ? new float[0] : null, "empty");
  }

  @Override
  public String toString() {
    return "Block[" + rows + " rows × " + features + " features, labelWidth " + labelWidth
        + (w == null ? "" : ", weighted") + "]";
  }

  private Object writeReplace() {
    return new Wire(this);
  }

  /**
   * A stream that names Block itself (not its {@link Wire}) was made by hand to skip the checking
   * constructor: refused, without reading anything.
   */
  private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException("a Block is read only through its Wire form");
  }

  /** The serialised form of a {@link Block}; read back through the checking constructor. */
  static final class Wire implements java.io.Externalizable {
    private static final long serialVersionUID = 1L;
    private Block block;

    /** For deserialisation only. */
    public Wire() {}

    Wire(Block block) {
      this.block = block;
    }

    @Override
    public void writeExternal(java.io.ObjectOutput out) throws java.io.IOException {
      out.writeInt(block.rows);
      out.writeInt(block.features);
      out.writeInt(block.labelWidth);
      FloatWire.write(out, block.x);
      FloatWire.write(out, block.y);
      FloatWire.write(out, block.w);
    }

    @Override
    public void readExternal(java.io.ObjectInput in) throws java.io.IOException {
      int rows = in.readInt();
      int features = in.readInt();
      int labelWidth = in.readInt();
      try {
        block = new Block(rows, features, labelWidth, FloatWire.read(in), FloatWire.read(in),
            FloatWire.read(in), "a serialised block");
      } catch (IllegalArgumentException | NullPointerException e) {
        java.io.InvalidObjectException bad = new java.io.InvalidObjectException(
            "corrupt serialised block: " + e.getMessage());
        bad.initCause(e);
        throw bad;
      }
    }

    private Object readResolve() {
      return block;
    }
  }

  @Override
  public void gather(int[] idx, int from, int to, float[] x, float[] y, float[] w) {
    Blocks.gather(this, idx, from, to, x, y, w);
  }
}
