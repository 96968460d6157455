package org.sparkprop.ml;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.train.Predictor;

/**
 * {@code transform} in blocks of rows: each partition runs {@link #ROWS} rows at a time through
 * the network's forward GEMMs (one {@link Predictor} per partition: no locks, no per-row network),
 * and appends the output columns the schema asks for:
 * <pre>
 *   rawPrediction  logits (K outputs), or [−z, z] for one output unit
 *   probability    softmax of the logits, or [1 − σ(z), σ(z)]
 *   prediction     argmax of probability / thresholds when thresholds are set, else of rawPrediction;
 *                  the regressor's is its one output
 * </pre>
 * the per-row methods' values ({@code predictRaw}, {@code raw2probability}, {@code raw2prediction})
 * up to float rounding: a GEMM over a block may sum a row's products in another order than a
 * single row's pass. A {@code mapPartitions} is lazy and row-by-row, so streaming DataFrames
 * transform as before.
 */
final class BatchedTransform implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;
  /** Rows per forward pass. */
  static final int ROWS = 256;

  /** What each appended column holds. */
  enum Output { RAW, PROBABILITY, PREDICTION }

  private final ModelData data;
  private final int featuresIndex;
  private final Output[] outputs;
  private final boolean classifier;
  private final double[] thresholds;

  private BatchedTransform(ModelData data, int featuresIndex, Output[] outputs, boolean classifier,
                           double[] thresholds) {
    this.data = data;
    this.featuresIndex = featuresIndex;
    this.outputs = outputs;
    this.classifier = classifier;
    this.thresholds = thresholds;
  }

  /**
   * The transformed data: {@code out} is the model's transformSchema of the input's schema; its
   * fields beyond the input's are named raw, probability or prediction (as {@code names} give
   * them, empty = not produced).
   */
  static Dataset<Row> apply(Dataset<?> dataset, StructType out, ModelData data, String featuresCol,
                            String rawCol, String probabilityCol, String predictionCol,
                            boolean classifier, double[] thresholds) {
    StructType in = dataset.schema();
    List<Output> outputs = new ArrayList<>();
    for (int i = in.fields().length; i < out.fields().length; i++) {
      String name = out.fields()[i].name();
      if (name.equals(rawCol)) {
        outputs.add(Output.RAW);
      } else if (name.equals(probabilityCol)) {
        outputs.add(Output.PROBABILITY);
      } else if (name.equals(predictionCol)) {
        outputs.add(Output.PREDICTION);
      } else {
        throw new IllegalStateException("unexpected output column " + name);
      }
    }
    if (outputs.isEmpty()) {
      return dataset.toDF();
    }
    BatchedTransform f = new BatchedTransform(data, in.fieldIndex(featuresCol),
        outputs.toArray(new Output[0]), classifier, thresholds);
    Dataset<Row> result = dataset.toDF().mapPartitions(f, Encoders.row(out));
    for (int i = in.fields().length; i < out.fields().length; i++) {   // the encoder drops metadata
      result = result.withMetadata(out.fields()[i].name(), out.fields()[i].metadata());
    }
    return result;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Predictor predictor = data.model().predictor(ROWS);
    int k = data.outputs();
    return new RowBlocks(rows, featuresIndex, data.numFeatures(), ROWS) {
      float[] scores;

      @Override
      void score(int n) {
        scores = predictor.scores(x, n);
      }

      @Override
      Row output(Row input, int r) {
        return extend(input, scores, r * k, k);
      }
    };
  }

  /** The input row with the output columns appended. */
  private Row extend(Row row, float[] scores, int offset, int k) {
    Object[] values = new Object[row.length() + outputs.length];
    for (int i = 0; i < row.length(); i++) {
      values[i] = row.get(i);
    }
    int at = row.length();
    if (!classifier) {
      values[at] = (double) scores[offset];
      return RowFactory.create(values);
    }
    double[] raw = rawOf(scores, offset, k);
    double[] prob = null;
    for (Output o : outputs) {
      switch (o) {
        case RAW -> values[at++] = Vectors.dense(raw.clone());
        case PROBABILITY -> {
          prob = prob != null ? prob : probabilityOf(raw, k == 1);
          values[at++] = Vectors.dense(prob.clone());
        }
        case PREDICTION -> {
          if (thresholds != null) {
            prob = prob != null ? prob : probabilityOf(raw, k == 1);
            values[at++] = (double) thresholdedArgmax(prob, thresholds);
          } else {
            values[at++] = (double) argmax(raw);
          }
        }
      }
    }
    return RowFactory.create(values);
  }

  static double[] rawOf(float[] s, int offset, int k) {
    if (k == 1) {
      return new double[] {-s[offset], s[offset]};
    }
    double[] raw = new double[k];
    for (int j = 0; j < k; j++) {
      raw[j] = s[offset + j];
    }
    return raw;
  }

  /** The probabilities of {@code raw}, a copy ({@link #probabilityInPlace}). */
  static double[] probabilityOf(double[] raw, boolean binary) {
    return probabilityInPlace(raw.clone(), binary);
  }

  /**
   * rawPrediction to probability in place: [−z, z] to [1 − σ(z), σ(z)] for one output unit,
   * else the softmax (shifted by the largest logit).
   */
  static double[] probabilityInPlace(double[] v, boolean binary) {
    if (binary) {
      double p = 1 / (1 + Math.exp(-v[1]));
      v[0] = 1 - p;
      v[1] = p;
      return v;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (int j = 0; j < v.length; j++) {
      v[j] = Math.exp(v[j] - max);
      sum += v[j];
    }
    for (int j = 0; j < v.length; j++) {
      v[j] /= sum;
    }
    return v;
  }

  /** The first index of the largest value (Spark's Vector.argmax). */
  static int argmax(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[best]) {
        best = j;
      }
    }
    return best;
  }

  /** Spark's rule: argmax of p / t, a zero threshold counting as infinitely preferred. */
  static int thresholdedArgmax(double[] p, double[] t) {
    double[] scaled = new double[p.length];
    for (int j = 0; j < p.length; j++) {
      scaled[j] = t[j] == 0 ? Double.POSITIVE_INFINITY : p[j] / t[j];
    }
    return argmax(scaled);
  }
}
