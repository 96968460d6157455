package org.sparkprop.ml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.sparkprop.nn.ParamSegment;
import org.sparkprop.train.Model;

/**
 * The regressor's label standardisation: training sees z = (y − μ) / σ, so a label in the
 * hundreds trains at the same learning rate as one near 1; afterwards the scaling is folded into
 * the output layer, exactly as affine maps compose:
 * <pre>
 *   ŷ = σ·(W h + b) + μ  =  (σW) h + (σb + μ)       W: outputs × inputs of the last dense layer
 * </pre>
 * so the model predicts in the label's units and needs nothing new to save or load. μ and σ are the
 * training rows' mean and population standard deviation (σ = 1 for a constant label). Training sees
 * losses of z; {@link #unscale} puts the history back in the label's units (loss × σ², RMSE × σ).
 */
final class LabelScaling {

  static final LabelScaling NONE = new LabelScaling(0, 1);

  final double mean;
  final double sd;

  private LabelScaling(double mean, double sd) {
    this.mean = mean;
    this.sd = sd;
  }

  /** μ and σ of the label column (nulls ignored; Spark checks the column is numeric). */
  static LabelScaling fit(Dataset<?> data, String label) {
    org.apache.spark.sql.Column y = functions.col(label).cast("double");   // decimal, boolean labels
    Row r = data.toDF().agg(functions.avg(y), functions.stddev_pop(y)).first();
    if (r.isNullAt(0)) {
      return NONE;                                       // no labels: training reports the error
    }
    double m = r.getDouble(0);
    double s = r.isNullAt(1) ? 0 : r.getDouble(1);
    if (!Double.isFinite(m) || !Double.isFinite(s)) {
      throw new IllegalArgumentException("the label column '" + label + "' holds a non-finite value "
          + "(mean " + m + ", sd " + s + "): drop or fix those rows before training");
    }
    return new LabelScaling(m, s > 0 ? s : 1);
  }

  /** The data with its label standardised (itself for {@link #NONE}). */
  Dataset<?> apply(Dataset<?> data, String label) {
    if (this == NONE) {
      return data;
    }
    return data.toDF().withColumn(label,
        functions.col(label).cast("double").minus(mean).divide(sd));
  }

  /** The epochs' losses and RMSEs in the label's units: squared loss × σ², RMSE × σ. */
  List<org.sparkprop.train.EpochMetrics> unscale(List<org.sparkprop.train.EpochMetrics> history) {
    if (this == NONE) {
      return history;
    }
    double sq = sd * sd;
    return history.stream().map(m -> new org.sparkprop.train.EpochMetrics(m.epoch(), m.step(),
        m.trainLoss() * sq, m.trainMetric() * sd, m.validationLoss() * sq,
        m.validationMetric() * sd, m.metricName(), m.learningRate(), m.samplesPerSecond(),
        m.epochSeconds(), m.elapsedSeconds())).toList();
  }

  /** The model with the scaling folded into its output layer (itself for {@link #NONE}). */
  Model foldInto(Model m) {
    if (this == NONE) {
      return m;
    }
    float[] p = m.params().clone();
    List<ParamSegment> segs = m.network().segments();
    ParamSegment w = null;
    ParamSegment b = null;
    for (ParamSegment s : segs) {                        // the last dense layer's W and b
      if (s.name().equals("W")) {
        w = s;
      } else if (s.name().equals("b")) {
        b = s;
      }
    }
    if (w == null || b == null || b.layer() != w.layer()) {
      throw new IllegalStateException("no output layer to fold the label scaling into");
    }
    for (int i = w.offset(); i < w.end(); i++) {
      p[i] = (float) (sd * p[i]);
    }
    for (int i = b.offset(); i < b.end(); i++) {
      p[i] = (float) (sd * p[i] + mean);
    }
    Map<String, Object> provenance = new LinkedHashMap<>(m.provenance());
    provenance.put("labelScaling", Map.of("mean", mean, "sd", sd));
    return new Model(m.network(), p, m.netState(), m.scaler(), m.classNames(), provenance);
  }
}
