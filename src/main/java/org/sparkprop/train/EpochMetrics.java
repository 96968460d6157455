package org.sparkprop.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch achieved. Training loss and metric are running means over the epoch's mini-batches
 * (training mode, as Keras reports them); validation ones come from a full inference pass. NaN when
 * there is no validation data. The metric is accuracy for classification, RMSE for regression.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double trainMetric,
                           double validationLoss, double validationMetric, String metricName,
                           double learningRate, double samplesPerSecond, double epochSeconds,
                           double elapsedSeconds) {

  public boolean hasValidation() {
    return !Double.isNaN(validationLoss);
  }

  /** Flat map for CSV/JSON metrics files. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("step", step);
    m.put("train_loss", trainLoss);
    m.put("train_" + metricName, trainMetric);
    m.put("val_loss", hasValidation() ? validationLoss : null);
    m.put("val_" + metricName, hasValidation() ? validationMetric : null);
    m.put("lr", learningRate);
    m.put("samples_per_s", samplesPerSecond);
    m.put("epoch_s", epochSeconds);
    m.put("elapsed_s", elapsedSeconds);
    return m;
  }
}
