package org.sparkprop.train;

import java.util.ArrayList;
import java.util.List;
import org.sparkprop.optim.OptimizerState;

/**
 * The complete mutable state of a run between two steps: everything a checkpoint must hold so that
 * resuming continues exactly as if the run had never stopped. Randomness needs no state of its own:
 * every stream is derived from (seed, epoch, step, partition), and the step is here.
 */
public final class TrainingState {

  /** Trainable parameters and non-trainable network state (batch-norm running statistics). */
  public float[] params;
  public float[] netState;
  /** The optimizer's state (in local SGD: the averaged inner optimizer state). */
  public OptimizerState optimizer;
  /** Local SGD only: the driver's outer optimizer state; null otherwise. */
  public OptimizerState outer;
  /** Updates applied so far (the next update is number step + 1). */
  public long step;
  /** Local SGD rounds completed (the outer optimizer's step count). */
  public long rounds;
  /** Multiplier on the scheduled learning rate (halved at each skipped divergent step). */
  public double lrScale = 1;
  public long skippedSteps;
  /** Early stopping: best monitored value, its epoch, epochs since, and the best weights. */
  public double bestValue = Double.POSITIVE_INFINITY;
  public int bestEpoch;
  public int epochsWithoutImprovement;
  public float[] bestParams;
  public float[] bestNetState;
  public boolean stopped;
  public final List<EpochMetrics> history = new ArrayList<>();
  /** Trainer-specific values saved with checkpoints (e.g. the local-SGD period that was chosen). */
  public final java.util.Map<String, Object> extras = new java.util.LinkedHashMap<>();

  public TrainingState(float[] params, float[] netState, OptimizerState optimizer) {
    this.params = params;
    this.netState = netState;
    this.optimizer = optimizer;
  }

  /** The epoch (0-based) the next update belongs to. */
  public int epoch(int stepsPerEpoch) {
    return (int) (step / stepsPerEpoch);
  }

  /**
   * Records an epoch's monitored value (lower is better); returns true when training should stop
   * because {@code patience} epochs passed without an improvement of more than {@code minDelta}.
   */
  public boolean observe(double value, int epoch, int patience, double minDelta, boolean mayStop) {
    if (value < bestValue - minDelta || bestEpoch == 0) {
      bestValue = value;
      bestEpoch = epoch;
      epochsWithoutImprovement = 0;
      if (patience > 0) {                                // only early stopping restores weights
        bestParams = params.clone();
        bestNetState = netState.clone();
      }
      return false;
    }
    epochsWithoutImprovement++;
    return patience > 0 && mayStop && epochsWithoutImprovement >= patience;
  }
}
