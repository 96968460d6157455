package org.sparkprop.train;

import java.util.ArrayList;
import java.util.List;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;

/**
 * Multiclass classification from binary models (one output unit, labels 0/1; e.g. a linear SVM
 * {@code d-1} with hinge loss, logistic regression, a perceptron, or any binary MLP).
 *
 * <pre>
 *   one-vs-rest  K models; model k separates class k (1) from all others (0);
 *                predict argmax_k score_k
 *   one-vs-one   K(K−1)/2 models; model (i, j), i &lt; j, is trained on classes i (0) and j (1) only;
 *                each votes for j if its score &gt; 0 else for i; predict the class with most votes,
 *                ties broken by the larger sum of the voters' |score|
 * </pre>
 * Every member trains with the same config, seeded by (seed, member index).
 */
public final class MulticlassEnsemble {

  public enum Strategy { ONE_VS_REST, ONE_VS_ONE }

  private final Strategy strategy;
  private final int numClasses;
  private final List<Model> members;
  private final int[][] pairs;

  private MulticlassEnsemble(Strategy strategy, int numClasses, List<Model> members, int[][] pairs) {
    this.strategy = strategy;
    this.numClasses = numClasses;
    this.members = List.copyOf(members);
    this.pairs = pairs;
  }

  public Strategy strategy() {
    return strategy;
  }

  public List<Model> members() {
    return members;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Trains an ensemble on {@code train} (labels 0..numClasses−1) with a binary {@code config}. */
  public static MulticlassEnsemble fit(Strategy strategy, TrainConfig config, Block train,
                                       int numClasses) {
    if (config.buildNetwork().outputSize() != 1) {
      throw new IllegalArgumentException("one-vs-rest/one-vs-one need a binary network with one "
          + "output unit, got '" + config.network() + "'");
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("need at least 2 classes, got " + numClasses);
    }
    List<Model> models = new ArrayList<>();
    List<int[]> pairList = new ArrayList<>();
    float[] y = train.y();
    int member = 0;
    if (strategy == Strategy.ONE_VS_REST) {
      for (int k = 0; k < numClasses; k++) {
        float[] yk = new float[train.rows()];
        for (int r = 0; r < yk.length; r++) {
          yk[r] = y[r] == k ? 1f : 0f;
        }
        Block bk = new Block(train.rows(), train.features(), 1, train.x(), yk, train.w(),
            "class " + k + " vs rest");
        models.add(train(config, bk, member++));
      }
    } else {
      for (int i = 0; i < numClasses; i++) {
        for (int j = i + 1; j < numClasses; j++) {
          int[] idx = new int[train.rows()];
          int n = 0;
          for (int r = 0; r < train.rows(); r++) {
            if (y[r] == i || y[r] == j) {
              idx[n++] = r;
            }
          }
          if (n == 0) {
            throw new IllegalArgumentException("classes " + i + " and " + j + " have no rows");
          }
          Block sub = Blocks.select(train, idx, 0, n, "class " + i + " vs " + j);
          float[] yij = new float[n];
          for (int r = 0; r < n; r++) {
            yij[r] = sub.y()[r] == j ? 1f : 0f;
          }
          models.add(train(config, new Block(n, sub.features(), 1, sub.x(), yij, sub.w(),
              "class " + i + " vs " + j), member++));
          pairList.add(new int[] {i, j});
        }
      }
    }
    return new MulticlassEnsemble(strategy, numClasses, models, pairList.toArray(new int[0][]));
  }

  private static Model train(TrainConfig config, Block data, int member) {
    TrainConfig c = config.toBuilder().seed(org.sparkprop.linalg.Rng.derive(config.seed(), member))
        .build();
    return new LocalTrainer(c).fit(data, null).model();
  }

  /** Predicted classes of {@code rows} unscaled rows. */
  public int[] predict(float[] x, int rows) {
    int f = members.get(0).numFeatures();
    double[][] score = new double[members.size()][rows];
    for (int m = 0; m < members.size(); m++) {
      Predictor p = members.get(m).predictor(256);
      for (int lo = 0; lo < rows; lo += 256) {
        int n = Math.min(rows, lo + 256) - lo;
        float[] s = p.scores(java.util.Arrays.copyOfRange(x, lo * f, (lo + n) * f), n);
        for (int r = 0; r < n; r++) {
          score[m][lo + r] = s[r];
        }
      }
    }
    int[] out = new int[rows];
    double[] votes = new double[numClasses];
    double[] confidence = new double[numClasses];
    for (int r = 0; r < rows; r++) {
      if (strategy == Strategy.ONE_VS_REST) {
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
          if (score[k][r] > score[best][r]) {
            best = k;
          }
        }
        out[r] = best;
        continue;
      }
      java.util.Arrays.fill(votes, 0);
      java.util.Arrays.fill(confidence, 0);
      for (int m = 0; m < pairs.length; m++) {
        double s = score[m][r];
        int winner = s > 0 ? pairs[m][1] : pairs[m][0];
        votes[winner]++;
        confidence[winner] += Math.abs(s);
      }
      int best = 0;
      for (int k = 1; k < numClasses; k++) {
        if (votes[k] > votes[best] || (votes[k] == votes[best] && confidence[k] > confidence[best])) {
          best = k;
        }
      }
      out[r] = best;
    }
    return out;
  }

  /** Fraction of rows of {@code data} predicted correctly. */
  public double accuracy(Block data) {
    int[] p = predict(data.x(), data.rows());
    int correct = 0;
    for (int r = 0; r < p.length; r++) {
      correct += p[r] == (int) data.y()[r] ? 1 : 0;
    }
    return correct / (double) p.length;
  }
}
