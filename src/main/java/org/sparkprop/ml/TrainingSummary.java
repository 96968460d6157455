package org.sparkprop.ml;

import java.util.List;
import org.sparkprop.train.EpochMetrics;

/**
 * What training a Spark ML model went through: the objective (training loss) after every epoch,
 * the validation loss and metric history when there was validation data, the updates applied, and
 * whether early stopping ended it. Not saved with the model (as in Spark's own summaries).
 */
public final class TrainingSummary implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  private final List<EpochMetrics> epochs;
  private final long totalIterations;
  private final boolean stoppedEarly;
  private final double trainSeconds;

  TrainingSummary(List<EpochMetrics> epochs, long totalIterations, boolean stoppedEarly,
                  double trainSeconds) {
    this.epochs = List.copyOf(epochs);
    this.totalIterations = totalIterations;
    this.stoppedEarly = stoppedEarly;
    this.trainSeconds = trainSeconds;
  }

  /** Training loss after each epoch (running mean over its mini-batches). */
  public double[] objectiveHistory() {
    return epochs.stream().mapToDouble(EpochMetrics::trainLoss).toArray();
  }

  /** Validation loss after each epoch; empty without validation data. */
  public double[] validationLossHistory() {
    return epochs.stream().filter(EpochMetrics::hasValidation)
        .mapToDouble(EpochMetrics::validationLoss).toArray();
  }

  /** Validation accuracy (classifier) or RMSE (regressor) after each epoch. */
  public double[] validationMetricHistory() {
    return epochs.stream().filter(EpochMetrics::hasValidation)
        .mapToDouble(EpochMetrics::validationMetric).toArray();
  }

  public List<EpochMetrics> epochs() {
    return epochs;
  }

  /** Optimizer updates applied (steps). */
  public long totalIterations() {
    return totalIterations;
  }

  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  public double trainSeconds() {
    return trainSeconds;
  }
}
