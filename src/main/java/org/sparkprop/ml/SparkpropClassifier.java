package org.sparkprop.ml;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparkprop.train.TrainingResult;

/**
 * A Spark ML classifier trained data-parallel by Sparkprop: a feed-forward network (or, with no
 * hidden layers, a linear model) on a features Vector column and a numeric label column of class
 * indices. Works in Pipelines, CrossValidator, TrainValidationSplit and OneVsRest.
 *
 * <pre>
 *   new SparkpropClassifier().setHiddenLayers("256relu-128relu").setEpochs(10).fit(train)
 *   linear models:  setHiddenLayers("") with loss cross_entropy (softmax regression),
 *                   hinge (linear SVM) or perceptron
 * </pre>
 * Input and output sizes come from the data (feature vector width, number of classes). With two
 * classes, cross_entropy trains one logistic output unit, and the raw prediction is [−z, z] as in
 * Spark's LogisticRegression.
 */
public final class SparkpropClassifier
    extends ProbabilisticClassifier<Vector, SparkpropClassifier, SparkpropClassificationModel>
    implements SparkpropParams, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final ParamSet params;

  public SparkpropClassifier() {
    this(Uids.random("sparkpropClassifier"));
  }

  public SparkpropClassifier(String uid) {
    this(Uids.stash(uid));
  }

  private SparkpropClassifier(Uids.Token token) {
    super();
    this.uid = token.take();
    this.params = new ParamSet(this, true);
    params.setDefaults(this, true);
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  @Override
  public ParamSet paramSet() {
    return params;
  }

  @Override
  public SparkpropClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Classes with cross_entropy on 2 classes become one logistic unit; 1 unit for binary losses. */
  static int outputs(String loss, int numClasses) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, the data has "
          + numClasses);
    }
    if (loss.equals("logistic") && numClasses > 2) {
      throw new IllegalArgumentException("loss logistic is binary, but the data has " + numClasses
          + " classes; use cross_entropy");
    }
    return numClasses == 2 ? 1 : numClasses;
  }

  static String engineLoss(String loss, int numClasses) {
    return numClasses == 2 && loss.equals("cross_entropy") ? "logistic" : loss;
  }

  @Override
  public SparkpropClassificationModel train(Dataset<?> dataset) {
    int numFeatures = Training.numFeatures(dataset, getFeaturesCol());
    int numClasses = getNumClasses(dataset, 1000);
    String loss = engineLoss(getLoss(), numClasses);
    TrainingResult r = Training.fit(this, dataset, getFeaturesCol(), getLabelCol(), numFeatures,
        outputs(getLoss(), numClasses), loss);
    SparkpropClassificationModel model = new SparkpropClassificationModel(uid(),
        new ModelData(r.model()), numClasses);
    model.setSummary(new TrainingSummary(r.history(), r.steps(), r.stoppedEarly(), r.trainSeconds()));
    return copyValues(model, ParamMap.empty());
  }

  public static MLReader<SparkpropClassifier> read() {
    return Persistence.estimatorReader(SparkpropClassifier.class, SparkpropClassifier::new);
  }

  public static SparkpropClassifier load(String path) {
    return read().load(path);
  }

  // Setters return this class, as Spark's do.
  public SparkpropClassifier setHiddenLayers(String v) { return (SparkpropClassifier) set(hiddenLayers(), v); }
  public SparkpropClassifier setLoss(String v) { return (SparkpropClassifier) set(loss(), v); }
  public SparkpropClassifier setInit(String v) { return (SparkpropClassifier) set(init(), v); }
  public SparkpropClassifier setDropout(double v) { return (SparkpropClassifier) set(dropout(), v); }
  public SparkpropClassifier setBatchNorm(boolean v) { return (SparkpropClassifier) set(batchNorm(), v); }
  public SparkpropClassifier setOptimizer(String v) { return (SparkpropClassifier) set(optimizer(), v); }
  public SparkpropClassifier setStepSize(double v) { return (SparkpropClassifier) set(stepSize(), v); }
  public SparkpropClassifier setMomentum(double v) { return (SparkpropClassifier) set(momentum(), v); }
  public SparkpropClassifier setBeta1(double v) { return (SparkpropClassifier) set(beta1(), v); }
  public SparkpropClassifier setBeta2(double v) { return (SparkpropClassifier) set(beta2(), v); }
  public SparkpropClassifier setEpsilon(double v) { return (SparkpropClassifier) set(epsilon(), v); }
  public SparkpropClassifier setRho(double v) { return (SparkpropClassifier) set(rho(), v); }
  public SparkpropClassifier setWeightDecay(double v) { return (SparkpropClassifier) set(weightDecay(), v); }
  public SparkpropClassifier setSchedule(String v) { return (SparkpropClassifier) set(schedule(), v); }
  public SparkpropClassifier setRegParam(double v) { return (SparkpropClassifier) set(regParam(), v); }
  public SparkpropClassifier setElasticNetParam(double v) { return (SparkpropClassifier) set(elasticNetParam(), v); }
  public SparkpropClassifier setClipNorm(double v) { return (SparkpropClassifier) set(clipNorm(), v); }
  public SparkpropClassifier setBatchSize(int v) { return (SparkpropClassifier) set(batchSize(), v); }
  public SparkpropClassifier setMaxIter(int v) { return (SparkpropClassifier) set(maxIter(), v); }
  /** The older name of {@link #setMaxIter}. */
  public SparkpropClassifier setEpochs(int v) { return setMaxIter(v); }
  public SparkpropClassifier setMinSteps(int v) { return (SparkpropClassifier) set(minSteps(), v); }
  public SparkpropClassifier setSeed(long v) { return (SparkpropClassifier) set(seed(), v); }
  public SparkpropClassifier setScaling(String v) { return (SparkpropClassifier) set(scaling(), v); }
  public SparkpropClassifier setValidationFraction(double v) { return (SparkpropClassifier) set(validationFraction(), v); }
  public SparkpropClassifier setValidationIndicatorCol(String v) { return (SparkpropClassifier) set(validationIndicatorCol(), v); }
  public SparkpropClassifier setPatience(int v) { return (SparkpropClassifier) set(patience(), v); }
  public SparkpropClassifier setTol(double v) { return (SparkpropClassifier) set(tol(), v); }
  /** The older name of {@link #setTol}. */
  public SparkpropClassifier setMinDelta(double v) { return setTol(v); }
  public SparkpropClassifier setRestoreBest(boolean v) { return (SparkpropClassifier) set(restoreBest(), v); }
  public SparkpropClassifier setOnDivergence(String v) { return (SparkpropClassifier) set(onDivergence(), v); }
  public SparkpropClassifier setSyncMode(String v) { return (SparkpropClassifier) set(syncMode(), v); }
  public SparkpropClassifier setLocalSteps(int v) { return (SparkpropClassifier) set(localSteps(), v); }
  public SparkpropClassifier setStreamWindowRows(int v) { return (SparkpropClassifier) set(streamWindowRows(), v); }
  public SparkpropClassifier setOuterOptimizer(String v) { return (SparkpropClassifier) set(outerOptimizer(), v); }
  public SparkpropClassifier setOuterStepSize(double v) { return (SparkpropClassifier) set(outerStepSize(), v); }
  public SparkpropClassifier setOuterMomentum(double v) { return (SparkpropClassifier) set(outerMomentum(), v); }
  public SparkpropClassifier setNumPartitions(int v) { return (SparkpropClassifier) set(numPartitions(), v); }
  public SparkpropClassifier setNumReplicas(int v) { return (SparkpropClassifier) set(numReplicas(), v); }
  public SparkpropClassifier setAggregationDepth(int v) { return (SparkpropClassifier) set(aggregationDepth(), v); }
  public SparkpropClassifier setCheckpointDir(String v) { return (SparkpropClassifier) set(checkpointDir(), v); }
  public SparkpropClassifier setCheckpointInterval(int v) { return (SparkpropClassifier) set(checkpointInterval(), v); }
  public SparkpropClassifier setWeightCol(String v) { return (SparkpropClassifier) set(weightCol(), v); }
}
