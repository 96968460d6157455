package org.sparkprop.ml;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.nn.Penalty;
import org.sparkprop.train.ModelSelection;
import org.sparkprop.train.ModelSelection.Candidate;
import org.sparkprop.train.TrainConfig;

/**
 * {@code hiddenLayers = "auto"} (the default): which model a fit trains when the user did not say.
 *
 * <ul>
 *   <li>Data of at least {@link #NETWORK_ROWS} rows: the network, one hidden layer of 100 ReLU
 *       units ({@link #NETWORK}).</li>
 *   <li>Smaller data: the network or the linear model (softmax, logistic or linear regression),
 *       whichever scores better in {@link #FOLDS}-fold cross-validation on the training rows
 *       (error rate for classifiers, mean squared error for regressors; the linear model on a
 *       tie, see {@link ModelSelection}). On
 *       a few hundred rows a network often fits the noise where a linear model is right, and the
 *       other way round on non-linear data; cross-validation lets the data say which. The linear
 *       model trains with full-batch L-BFGS to convergence (as MLlib's LogisticRegression and
 *       LinearRegression do), unless the user chose an optimizer or the penalty has an L1 part;
 *       then with the user's optimizer.</li>
 * </ul>
 * Every other param applies to both candidates. The choice and the scores are logged and kept in
 * the model's provenance; an explicit {@code hiddenLayers} (including {@code ""}) skips all this.
 */
final class AutoModel {

  private static final Logger LOG = LoggerFactory.getLogger(AutoModel.class);

  static final String AUTO = "auto";
  static final String NETWORK = "100relu";
  /** Rows from which the network is taken without cross-validation (the validation-split threshold). */
  static final long NETWORK_ROWS = TrainConfig.AUTO_VALIDATION_ROWS;
  static final int FOLDS = 5;
  /** Fewer rows than this cannot be cross-validated meaningfully: the network, as on large data. */
  static final long MIN_ROWS = 4L * FOLDS;

  /** The resolved hidden layers and optimizer, and how they were chosen. */
  record Resolved(String hiddenLayers, String optimizer, String how) {}

  private AutoModel() {}

  /** True when the fit must resolve {@code hiddenLayers} by data. */
  static boolean applies(SparkpropParams p) {
    return p.getHiddenLayers().equals(AUTO);
  }

  /**
   * @param rows the training rows (after any validation split)
   * @param trainBlocks the packed training rows, collected only when cross-validation runs
   * @param config the config a fit would train for given hidden layers and optimizer
   */
  static Resolved resolve(SparkpropParams p, long rows, JavaRDD<Block> trainBlocks,
                          java.util.function.BiFunction<String, String, TrainConfig> config) {
    String userOptimizer = p.getOptimizer();
    if (rows >= NETWORK_ROWS || rows < MIN_ROWS) {
      return new Resolved(NETWORK, userOptimizer, "hiddenLayers auto: " + NETWORK + " (" + rows
          + " rows; cross-validation runs from " + MIN_ROWS + " to " + (NETWORK_ROWS - 1) + " rows)");
    }
    boolean smooth = Penalty.parse(config.apply("", userOptimizer).penalty()).l1() == 0;
    String linearOptimizer = p.isSet(p.optimizer()) || !smooth ? userOptimizer : TrainConfig.LBFGS;
    List<Candidate> candidates = List.of(                    // the simpler model wins a tie
        new Candidate("linear", config.apply("", linearOptimizer)),
        new Candidate(NETWORK, config.apply(NETWORK, userOptimizer)));
    long start = System.nanoTime();
    Block data = Blocks.concat(trainBlocks.filter(b -> b.rows() > 0).collect());
    ModelSelection.Choice choice = ModelSelection.choose(candidates, data, FOLDS, p.getSeed());
    String how = "hiddenLayers auto: " + choice.winner().name() + " from " + choice.describe();
    LOG.info("{} on {} rows, in {} s", how, rows, String.format("%.2f", (System.nanoTime() - start) / 1e9));
    return choice.best() == 0 ? new Resolved("", linearOptimizer, how)
        : new Resolved(NETWORK, userOptimizer, how);
  }
}
