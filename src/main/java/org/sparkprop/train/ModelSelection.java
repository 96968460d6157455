package org.sparkprop.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.linalg.Rng;

/**
 * Chooses among candidate configs by k-fold cross-validation on small data held in memory.
 *
 * <p>The rows are shuffled once (seeded) and cut into k folds of near-equal size. Every candidate
 * trains k times with the local trainer on one thread, each time on the other k − 1 folds, and is
 * scored on the held-out fold; every row is scored exactly once, and the folds are the same for
 * every candidate, so the comparison is paired. The score is what the model is judged by, as
 * scikit-learn's model selection does by default: for classification the error rate (Σ w over
 * misclassified rows / Σ w), for regression the mean loss (Σ w·L / Σ w). A model's loss is a poor
 * judge between classifiers: an unregularised linear model on separable data is right on every
 * row and yet overconfident, so one wrong row costs it more log-loss than a network pays for
 * several. The lowest score wins; an exact tie goes to the earlier candidate (list the simpler
 * model first).
 *
 * <p>Each candidate's own stopping rule runs inside its folds unchanged (its {@code
 * validationFraction}, patience, minimum steps), so what is scored is what a fit with that config
 * would do. A candidate that diverges in a fold (onDivergence = stop) scores +∞ and loses, so a
 * network that blows up does not fail a fit the linear model wins. Nothing here knows Spark.
 */
public final class ModelSelection {

  /** A named config to try. */
  public record Candidate(String name, TrainConfig config) {}

  /**
   * The winner's index and every candidate's cross-validated score (error rate or mean loss) and
   * mean loss, in the candidates' order.
   */
  public record Choice(int best, List<Candidate> candidates, double[] cvScore, double[] cvLoss,
                       String scoreName, int folds) {

    public Candidate winner() {
      return candidates.get(best);
    }

    /** For logs and provenance: {@code linear 0.0400 (loss 0.512), 100relu 0.0480 (loss 0.102) (5-fold cross-validated error rate)}. */
    public String describe() {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < candidates.size(); i++) {
        s.append(i == 0 ? "" : ", ").append(candidates.get(i).name()).append(' ')
            .append(String.format("%.4g (loss %.4g)", cvScore[i], cvLoss[i]));
      }
      return s.append(" (").append(folds).append("-fold cross-validated ").append(scoreName)
          .append(')').toString();
    }
  }

  private ModelSelection() {}

  /**
   * @param data the training rows, unscaled (each candidate scales as its config says)
   * @param folds k ≥ 2, at most the row count
   */
  public static Choice choose(List<Candidate> candidates, Block data, int folds, long seed) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("model selection needs at least one candidate");
    }
    if (folds < 2 || folds > data.rows()) {
      throw new IllegalArgumentException("cross-validation needs 2 ≤ folds ≤ rows; got " + folds
          + " folds for " + data.rows() + " rows");
    }
    int[] idx = Blocks.identity(data.rows());
    new Rng(Rng.derive(seed, Rng.SPLIT, folds)).shuffle(idx, idx.length);
    // One fit per (candidate, fold), each on one thread and independent of the others, so they
    // run side by side on the machine's cores; their sums are added in a fixed order. Each fit
    // copies its own fold's rows, so at most one copy per running fit is held.
    int n = candidates.size();
    List<Callable<BatchSums>> fits = new ArrayList<>();
    for (Candidate cand : candidates) {
      TrainConfig cfg = cand.config().toBuilder().threads(1).build();
      for (int f = 0; f < folds; f++) {
        int fold = f;
        fits.add(() -> {
          Block[] split = fold(data, idx, fold, folds);
          try {
            // fit(Block, Block): the candidate's own validation split, as a fit with it makes.
            return new LocalTrainer(cfg).fit(split[0], null).model().evaluate(split[1]);
          } catch (DivergenceException e) {
            BatchSums diverged = new BatchSums();          // scored +∞: it never wins
            diverged.lossSum = Double.POSITIVE_INFINITY;
            diverged.weightSum = 1;
            return diverged;
          }
        });
      }
    }
    List<BatchSums> heldOut = runAll(fits);
    boolean classification = candidates.get(0).config().buildNetwork().loss().isClassification();
    double[] score = new double[n];
    double[] loss = new double[n];
    int best = 0;
    for (int c = 0; c < n; c++) {
      BatchSums total = new BatchSums();
      for (int f = 0; f < folds; f++) {
        total.add(heldOut.get(c * folds + f));
      }
      loss[c] = total.meanLoss();
      score[c] = classification ? 1 - total.accuracy() : loss[c];
      if (Double.isNaN(score[c]) || !Double.isFinite(loss[c])) {
        score[c] = Double.POSITIVE_INFINITY;                 // a diverged candidate never wins
      }
      if (score[c] < score[best]) {
        best = c;
      }
    }
    return new Choice(best, List.copyOf(candidates), score, loss,
        classification ? "error rate" : "mean loss", folds);
  }

  /** Runs the fits on up to one thread per core; their results in the fits' order. */
  private static List<BatchSums> runAll(List<Callable<BatchSums>> fits) {
    int threads = Math.max(1, Math.min(fits.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sparkprop-cross-validation");
      t.setDaemon(true);
      return t;
    });
    try {
      List<BatchSums> out = new ArrayList<>();
      for (Future<BatchSums> f : pool.invokeAll(fits)) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("cross-validation was interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a cross-validation fit failed: " + cause, cause);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Fold f of k: (the other rows, fold f's rows), each in the data's original row order. */
  static Block[] fold(Block data, int[] shuffled, int f, int k) {
    int n = shuffled.length;
    int from = (int) ((long) n * f / k);
    int to = (int) ((long) n * (f + 1) / k);
    int[] heldOut = Arrays.copyOfRange(shuffled, from, to);
    int[] train = new int[n - heldOut.length];                // the shuffled order minus [from, to)
    System.arraycopy(shuffled, 0, train, 0, from);
    System.arraycopy(shuffled, to, train, from, n - to);
    Arrays.sort(heldOut);
    Arrays.sort(train);
    return new Block[] {Blocks.select(data, train, 0, train.length, "cross-validation training folds"),
        Blocks.select(data, heldOut, 0, heldOut.length, "cross-validation held-out fold")};
  }
}
