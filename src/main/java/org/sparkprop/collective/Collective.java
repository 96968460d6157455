package org.sparkprop.collective;

import java.io.IOException;

/**
 * Sums among the ranks 0 … R−1 of one job, every rank calling the same operations in the same
 * order with arrays of the same lengths. The sums are folds in rank order,
 * {@code ((v_0 + v_1) + v_2) + …}, so every rank ends with bitwise the same values, run after run.
 * A collective knows nothing of what the numbers mean.
 */
public interface Collective extends AutoCloseable {

  int rank();

  int size();

  /** Replaces {@code v[from, to)} on every rank by its sum over the ranks, in rank order. */
  void allReduce(float[] v, int from, int to) throws IOException;

  /**
   * Both of the above in one call: {@code v[from, to)} and the few doubles {@code extras}, each
   * replaced by its sum over the ranks in rank order.
   */
  void allReduce(float[] v, int from, int to, double[] extras) throws IOException;

  /** Replaces {@code v} on every rank by its sum over the ranks, in rank order. */
  void allReduce(double[] v) throws IOException;

  /** Replaces {@code v[from, to)} on every rank by rank 0's values. */
  void broadcast(float[] v, int from, int to) throws IOException;

  /** Payload bytes this rank has sent (headers and handshakes excluded). */
  long bytesSent();

  @Override
  void close();
}
