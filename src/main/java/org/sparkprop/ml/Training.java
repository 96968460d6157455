package org.sparkprop.ml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.nn.Activation;
import org.sparkprop.nn.NetworkSpec;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.AutoArchitecture;
import org.sparkprop.train.Model;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * What an estimator's {@code train} does, shared by the classifier and the regressor: read the
 * params into the engine's and the Spark trainer's configs, split off validation rows, pack the
 * data into blocks and run the {@link DistributedTrainer}.
 */
final class Training {

  private static final Logger LOG = LoggerFactory.getLogger(Training.class);

  private Training() {}

  /**
   * @param outputs units of the output layer
   * @param loss the engine loss to train with (the classifier maps cross_entropy on 2 classes to
   *     logistic on one unit)
   */
  static TrainingResult fit(SparkpropParams p, Dataset<?> dataset, String featuresCol,
                            String labelCol, int numFeatures, int outputs, String loss) {
    boolean auto = AutoModel.applies(p);
    // With hiddenLayers = auto, the network's config decides the validation split, and the rows
    // before any split decide whether to cross-validate (as on the command line): below the
    // automatic split's threshold, where no automatic split is made.
    TrainConfig cfg = trainConfig(p, auto ? AutoArchitecture.HIDDEN : p.getHiddenLayers(),
        p.getOptimizer(), numFeatures, outputs, loss);
    SparkTrainConfig dist = sparkConfig(p);
    Dataset<Row> all = dataset.toDF();
    long allRows = auto || (p.getValidationFraction() < 0 && p.getPatience() > 0) ? all.count() : -1;
    Dataset<Row> train = all;
    Dataset<Row> validation = null;
    String indicator = p.getValidationIndicatorCol();
    if (!indicator.isEmpty()) {
      if (!java.util.Arrays.asList(all.columns()).contains(indicator)) {
        throw new IllegalArgumentException("validationIndicatorCol '" + indicator
            + "' is not a column of the data");
      }
      validation = all.filter(functions.col(indicator));
      train = all.filter(functions.not(functions.col(indicator)));
    } else if (p.getValidationFraction() != 0) {
      // A fixed share, or the automatic one (which needs the row count only when it may apply).
      double share = p.getValidationFraction() > 0 ? p.getValidationFraction()
          : p.getPatience() > 0 ? cfg.validationShare(allRows) : 0;
      if (share > 0) {
        Dataset<Row>[] split = all.randomSplit(new double[] {1 - share, share}, p.getSeed());
        train = split[0];
        validation = split[1];
      }
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    String weight = p.getWeightCol();
    int partitions = p.getNumPartitions() > 0 ? p.getNumPartitions() : sc.defaultParallelism();
    JavaRDD<Block> trainBlocks = SparkData.pack(train, featuresCol, labelCol, weight, partitions,
        numFeatures);
    JavaRDD<Block> valBlocks = validation == null ? null
        : SparkData.pack(validation, featuresCol, labelCol, weight, partitions, numFeatures);
    String chosen = null;
    if (auto) {
      AutoModel.Resolved r = AutoModel.resolve(p, cfg, allRows, numFeatures, trainBlocks);
      cfg = r.config();
      chosen = r.how();
    }
    LOG.info("training {} with {} on {} ({} mode)", cfg.network(), cfg.optimizer(), loss,
        dist.mode().configName());
    TrainingResult result = new DistributedTrainer(sc, cfg, dist).dataSource("DataFrame")
        .checkpointsPerFit(((org.apache.spark.ml.util.Identifiable) p).uid())
        .fit(trainBlocks, valBlocks, false);
    return chosen == null ? result : withProvenance(result, "modelSelection", chosen);
  }

  /** The result with one more provenance entry in its model. */
  private static TrainingResult withProvenance(TrainingResult r, String key, String value) {
    Model m = r.model();
    Map<String, Object> provenance = new java.util.LinkedHashMap<>(m.provenance());
    provenance.put(key, value);
    Model tagged = new Model(m.network(), m.params(), m.netState(), m.scaler(), m.classNames(),
        provenance);
    return new TrainingResult(tagged, r.history(), r.steps(), r.trainSeconds(), r.stoppedEarly(),
        r.bestEpoch(), r.skippedSteps());
  }

  /** The width of the feature vectors (first row); a clear error for empty data. */
  static int numFeatures(Dataset<?> dataset, String featuresCol) {
    List<Row> first = dataset.toDF().select(featuresCol).filter(functions.col(featuresCol).isNotNull())
        .limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("the training data is empty (no row with a features vector)");
    }
    Vector v = first.get(0).getAs(0);
    return v.size();
  }

  /**
   * The engine's config for the params, with {@code hiddenLayers} and {@code optimizer} given
   * (resolved when hiddenLayers is auto).
   */
  static TrainConfig trainConfig(SparkpropParams p, String hiddenLayers, String optimizer,
                                 int numFeatures, int outputs, String loss) {
    NetworkSpec hidden = NetworkSpec.parse(numFeatures + "-"
        + (hiddenLayers.isEmpty() ? "" : hiddenLayers + "-") + outputs);
    List<NetworkSpec.Block> blocks = new ArrayList<>();
    List<NetworkSpec.Block> given = hidden.blocks();
    for (int i = 0; i < given.size(); i++) {
      NetworkSpec.Block b = given.get(i);
      boolean isHidden = i < given.size() - 1;
      blocks.add(isHidden ? new NetworkSpec.Block(b.units(), b.activation(), b.param(),
          b.batchNorm() || p.getBatchNorm(), Math.max(b.dropout(), p.getDropout())) : b);
    }
    if (blocks.get(blocks.size() - 1).activation() != Activation.IDENTITY) {
      throw new IllegalArgumentException("hiddenLayers must not include the output layer");
    }
    String network = new NetworkSpec(numFeatures, blocks).toString();
    Map<String, Double> hyper = new HashMap<>();
    switch (optimizer) {
      case "momentum", "nesterov" -> hyper.put("momentum", p.getMomentum());
      case "rmsprop" -> {
        hyper.put("rho", p.getRho());
        hyper.put("eps", p.getEpsilon());
      }
      case "adagrad" -> hyper.put("eps", p.getEpsilon() == 1e-8 ? 1e-10 : p.getEpsilon());
      case "adam", "adamw" -> {
        hyper.put("beta1", p.getBeta1());
        hyper.put("beta2", p.getBeta2());
        hyper.put("eps", p.getEpsilon());
        if (optimizer.equals("adamw")) {
          hyper.put("weight_decay", p.getWeightDecay());
        }
      }
      default -> { }
    }
    double lambda = p.getRegParam();
    String penalty = lambda == 0 ? "none" : "elasticnet(" + lambda + "," + p.getElasticNetParam() + ")";
    return TrainConfig.builder().network(network).loss(loss).init(p.getInit()).seed(p.getSeed())
        .optimizer(optimizer).optimizerParams(hyper).learningRate(p.getStepSize())
        .schedule(p.getSchedule()).penalty(penalty).clipNorm(p.getClipNorm())
        .batchSize(p.getBatchSize()).epochs(p.getMaxIter()).minSteps(p.getMinSteps())
        .validationFraction(p.getValidationFraction()).patience(p.getPatience())
        .minDelta(p.getTol()).restoreBest(p.getRestoreBest()).onDivergence(p.getOnDivergence())
        .scaling(p.getScaling()).build();
  }

  /**
   * The Spark trainer's config. {@code checkpointDir} is a parent folder: each fit checkpoints
   * into a folder of its own there ({@link DistributedTrainer#checkpointsPerFit}).
   */
  static SparkTrainConfig sparkConfig(SparkpropParams p) {
    String dir = p.getCheckpointDir();
    return new SparkTrainConfig.Builder().mode(SyncMode.parse(p.getSyncMode()))
        .localSteps(p.getLocalSteps()).streamWindowRows(p.getStreamWindowRows())
        .outerOptimizer(p.getOuterOptimizer())
        .outerLearningRate(p.getOuterStepSize()).outerMomentum(p.getOuterMomentum())
        .replicas(p.getNumReplicas()).aggregationDepth(p.getAggregationDepth())
        .checkpointDir(dir).checkpointEvery(p.getCheckpointInterval()).build();
  }
}
