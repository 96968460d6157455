package org.sparkprop.spark;

import java.io.Serializable;

/**
 * What the driver broadcasts to the tasks for one job: the current weights, batch-norm state and
 * (local SGD) the averaged inner optimizer state. A fresh snapshot is broadcast for every job and
 * destroyed after it; tasks never modify it.
 */
final class Snapshot implements Serializable {

  private static final long serialVersionUID = 1L;

  final float[] params;
  final float[] netState;
  /** Local SGD only: the inner optimizer's state arrays; null in synchronous mode. */
  final float[][] innerState;
  final String innerOptimizer;

  /** A task's own, writable copy of the inner optimizer state, checked against {@code optimizer}. */
  org.sparkprop.optim.OptimizerState optimizerStateCopy(org.sparkprop.optim.Optimizer optimizer,
                                                        int paramCount) {
    float[][] slots = new float[innerState.length][];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = innerState[k].clone();
    }
    return org.sparkprop.optim.OptimizerState.of(optimizer, innerOptimizer, slots, paramCount);
  }

  Snapshot(float[] params, float[] netState, float[][] innerState, String innerOptimizer) {
    this.params = params;
    this.netState = netState;
    this.innerState = innerState;
    this.innerOptimizer = innerOptimizer;
  }
}
