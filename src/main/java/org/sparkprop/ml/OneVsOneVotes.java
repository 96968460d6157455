package org.sparkprop.ml;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkprop.train.Predictor;

/**
 * One-vs-one voting in blocks of rows: for each block of {@link BatchedTransform#ROWS} rows every
 * pairwise model (i, j) scores the whole block in one forward pass, its winner (j when
 * P(second) > ½) gets a vote and the winning probability as confidence; the prediction is the
 * class with the most votes, ties going to the higher total confidence, then the lower class.
 */
final class OneVsOneVotes implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final List<ModelData> pairs;
  private final int classes;
  private final int featuresIndex;

  OneVsOneVotes(List<ModelData> pairs, int classes, int featuresIndex) {
    this.pairs = pairs;
    this.classes = classes;
    this.featuresIndex = featuresIndex;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    int rowsPerBlock = BatchedTransform.ROWS;
    Predictor[] predictors = new Predictor[pairs.size()];
    for (int m = 0; m < predictors.length; m++) {
      predictors[m] = pairs.get(m).model().predictor(rowsPerBlock);
    }
    double[] votes = new double[rowsPerBlock * classes];
    double[] confidence = new double[rowsPerBlock * classes];
    return new RowBlocks(rows, featuresIndex, pairs.get(0).numFeatures(), rowsPerBlock) {
      @Override
      void score(int n) {
        java.util.Arrays.fill(votes, 0, n * classes, 0);
        java.util.Arrays.fill(confidence, 0, n * classes, 0);
        int m = 0;
        for (int i = 0; i < classes; i++) {
          for (int j = i + 1; j < classes; j++, m++) {
            int k = pairs.get(m).outputs();
            float[] s = predictors[m].scores(x, n);
            for (int r = 0; r < n; r++) {
              double[] p = BatchedTransform.probabilityInPlace(BatchedTransform.rawOf(s, r * k, k),
                  k == 1);
              int winner = p[1] > 0.5 ? j : i;
              votes[r * classes + winner]++;
              confidence[r * classes + winner] += Math.max(p[0], p[1]);
            }
          }
        }
      }

      @Override
      Row output(Row input, int r) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          double v = votes[r * classes + c];
          double b = votes[r * classes + best];
          if (v > b || v == b && confidence[r * classes + c] > confidence[r * classes + best]) {
            best = c;
          }
        }
        Object[] values = new Object[input.length() + 1];
        for (int i = 0; i < input.length(); i++) {
          values[i] = input.get(i);
        }
        values[input.length()] = (double) best;
        return RowFactory.create(values);
      }
    };
  }
}
