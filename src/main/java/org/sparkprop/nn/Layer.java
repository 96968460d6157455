package org.sparkprop.nn;

import java.util.List;
import org.sparkprop.linalg.Rng;

/**
 * One stage of a feed-forward network, working on a batch of rows.
 *
 * <p>Every array is row-major: {@code in} is (rows, inputSize), {@code out} is (rows, outputSize).
 * A layer is immutable and knows where its parameters live in the network's flat arrays
 * ({@link #paramOffset()}); the arrays themselves are passed to every call, so the same layer serves
 * any number of weight vectors and threads. Per-call scratch (dropout masks, batch-norm statistics)
 * lives in a {@link Scratch} owned by the caller's {@link Workspace}.
 *
 * <p>Contract of {@link #backward}: it <em>adds</em> this batch's parameter gradient into
 * {@code grad} (the caller zeroes it once per step) and <em>writes</em> {@code dIn} (unless null).
 * Nothing divides by the batch size: sums travel, the trainer divides once.
 */
public interface Layer {

  int inputSize();

  int outputSize();

  /** Number of trainable floats, stored at {@code [paramOffset, paramOffset + paramCount)}. */
  default int paramCount() {
    return 0;
  }

  /** Where this layer's parameters start in the flat parameter (and gradient) array. */
  default int paramOffset() {
    return 0;
  }

  /** Number of non-trainable state floats (batch-norm running statistics). */
  default int stateCount() {
    return 0;
  }

  /** Where this layer's state starts in the flat state array. */
  default int stateOffset() {
    return 0;
  }

  /** Scratch floats this layer needs for a batch of {@code rows} rows. */
  default int scratchSize(int rows) {
    return 0;
  }

  /** Whether gradients can flow through this layer (false for the Heaviside step). */
  default boolean isDifferentiable() {
    return true;
  }

  /** The parameter segments, for penalties, init and reports. Empty for parameter-free layers. */
  default List<ParamSegment> segments() {
    return List.of();
  }

  /** Writes initial parameters into {@code params}; default: none. */
  default void initParams(float[] params, Init init, Rng rng) {}

  /** Writes initial state into {@code state}; default: none. */
  default void initState(float[] state) {}

  /**
   * Reads {@code in} (rows, inputSize), {@code params} and (in inference) {@code state};
   * writes {@code out} (rows, outputSize) and, in training mode, what backward needs into
   * {@code scratch} and updated running statistics into {@code state}.
   */
  void forward(float[] params, float[] state, float[] in, float[] out, int rows,
               Scratch scratch, boolean training);

  /**
   * Reads {@code in}, {@code out} (as written by the training forward), {@code dOut} (rows,
   * outputSize), {@code params} and {@code scratch}; adds into {@code grad}; writes {@code dIn}
   * (rows, inputSize) unless it is null.
   */
  void backward(float[] params, float[] in, float[] out, float[] dOut, float[] dIn, float[] grad,
                int rows, Scratch scratch);

  /** This layer as a spec fragment, e.g. {@code "dense(784,256)"} or {@code "relu"}. */
  String describe();
}
