package org.sparkprop.nn;

/**
 * A named slice of the flat parameter array: {@code [offset, offset + length)}.
 *
 * @param layer index of the owning layer in the network
 * @param name "W", "b", "gamma" or "beta"
 * @param rows row count of the slice as a row-major matrix (1 for vectors)
 * @param cols column count
 * @param penalized whether L1/L2 penalties apply (weights yes; biases and batch-norm no)
 */
public record ParamSegment(int layer, String name, int offset, int rows, int cols,
                           boolean penalized) {

  public int length() {
    return rows * cols;
  }

  public int end() {
    return offset + length();
  }
}
