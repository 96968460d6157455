package org.sparkprop.train;

import java.util.List;

/**
 * The outcome of a run: the model, the per-epoch history, steps taken, the time spent training
 * (excluding data loading and start-up), and whether early stopping ended it.
 */
public record TrainingResult(Model model, List<EpochMetrics> history, long steps,
                             double trainSeconds, boolean stoppedEarly, int bestEpoch,
                             long skippedSteps) {

  public EpochMetrics last() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }
}
