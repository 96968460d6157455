package org.sparkprop.train;

/** Callbacks from a trainer's loop, on the driver thread. All methods default to doing nothing. */
public interface TrainingListener {

  /** Called when training starts, with the plan. */
  default void onStart(int epochs, int stepsPerEpoch, long rows) {}

  /** Called after each update (or local-SGD round) with the number of steps done in this epoch. */
  default void onProgress(int epoch, int stepsDoneInEpoch, int stepsPerEpoch) {}

  /** Called after each epoch's metrics are known. */
  default void onEpoch(EpochMetrics metrics) {}

  /** Called once at the end, also after early stopping. */
  default void onEnd(TrainingResult result) {}
}
