package org.sparkprop.ml;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.train.AutoArchitecture;
import org.sparkprop.train.ModelSelection;
import org.sparkprop.train.TrainConfig;

/**
 * {@code hiddenLayers = "auto"} (the default): the estimators' side of {@link AutoArchitecture}.
 * The network is {@code 100relu} with every other param as set; the linear candidates keep them
 * too (with an L2 strength each when regParam is 0), and train by L-BFGS unless the user set
 * {@code optimizer}. The choice and the scores are
 * logged and kept in the model's provenance; an explicit {@code hiddenLayers} (including
 * {@code ""}) skips all this.
 */
final class AutoModel {

  private static final Logger LOG = LoggerFactory.getLogger(AutoModel.class);

  static final String AUTO = "auto";

  /** The config to train, and how it was chosen. */
  record Resolved(TrainConfig config, String how) {}

  private AutoModel() {}

  /** True when the fit must choose its model by data. */
  static boolean applies(SparkpropParams p) {
    return p.getHiddenLayers().equals(AUTO);
  }

  /**
   * @param network the config of the 100relu network for these params
   * @param rows the data's rows before any validation split
   * @param trainBlocks the packed training rows, collected only when cross-validation runs
   */
  static Resolved resolve(SparkpropParams p, TrainConfig network, long rows, int features,
                          JavaRDD<Block> trainBlocks) {
    if (!AutoArchitecture.crossValidates(rows, features)) {
      return new Resolved(network, "hiddenLayers auto: " + AutoArchitecture.HIDDEN + " (" + rows
          + " rows of " + features + " features; cross-validation runs from "
          + AutoArchitecture.MIN_ROWS + " to " + (AutoArchitecture.NETWORK_ROWS - 1) + " rows, "
          + "at most " + AutoArchitecture.MAX_FLOATS + " values)");
    }
    List<ModelSelection.Candidate> linear =
        AutoArchitecture.linearCandidates(network, p.isSet(p.optimizer()));
    long start = System.nanoTime();
    Block data = Blocks.concat(trainBlocks.filter(b -> b.rows() > 0).collect());
    ModelSelection.Choice choice = AutoArchitecture.choose(network, linear, data);
    String how = "hiddenLayers auto: " + choice.winner().name() + " from " + choice.describe();
    LOG.info("{} on {} rows, in {} s", how, rows,
        String.format("%.2f", (System.nanoTime() - start) / 1e9));
    return new Resolved(choice.winner().config(), how);
  }
}
