package org.sparkprop.train;

import java.io.Serializable;

/**
 * Running sums over training rows, all in double: Σ w·L, Σ w, rows and (classification) correctly
 * predicted rows, weighted. Sums travel and merge; means are taken once, at the end.
 */
public final class BatchSums implements Serializable {

  private static final long serialVersionUID = 1L;

  public double lossSum;
  public double weightSum;
  public long rows;
  public double correctWeight;

  public void reset() {
    lossSum = 0;
    weightSum = 0;
    rows = 0;
    correctWeight = 0;
  }

  public BatchSums add(BatchSums o) {
    lossSum += o.lossSum;
    weightSum += o.weightSum;
    rows += o.rows;
    correctWeight += o.correctWeight;
    return this;
  }

  public double meanLoss() {
    return weightSum > 0 ? lossSum / weightSum : Double.NaN;
  }

  public double accuracy() {
    return weightSum > 0 ? correctWeight / weightSum : Double.NaN;
  }
}
