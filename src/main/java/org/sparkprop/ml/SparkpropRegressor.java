package org.sparkprop.ml;

import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparkprop.train.TrainingResult;

/**
 * A Spark ML regressor trained data-parallel by Sparkprop: a feed-forward network (with no hidden
 * layers, linear regression) with one output and squared loss, on a features Vector column and a
 * numeric label column.
 *
 * <pre>
 *   new SparkpropRegressor().setHiddenLayers("64relu").setEpochs(20).fit(train)
 * </pre>
 */
public final class SparkpropRegressor
    extends Predictor<Vector, SparkpropRegressor, SparkpropRegressionModel>
    implements SparkpropParams, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final ParamSet params;
  /** Train on the standardised label; see {@link LabelScaling}. */
  private final BooleanParam standardizeLabel;

  public SparkpropRegressor() {
    this(Uids.random("sparkpropRegressor"));
  }

  public SparkpropRegressor(String uid) {
    this(Uids.stash(uid));
  }

  private SparkpropRegressor(Uids.Token token) {
    super();
    this.uid = token.take();
    this.params = new ParamSet(this, false);
    params.setDefaults(this, false);
    this.standardizeLabel = new BooleanParam(this, "standardizeLabel", "with squared loss, train "
        + "on (label - mean) / sd and fold the scaling back into the output layer, so any label "
        + "scale trains at the default learning rate and predictions keep the label's units");
    setDefault(standardizeLabel, true);
  }

  public BooleanParam standardizeLabel() {
    return standardizeLabel;
  }

  public boolean getStandardizeLabel() {
    return (Boolean) getOrDefault(standardizeLabel);
  }

  public SparkpropRegressor setStandardizeLabel(boolean v) {
    return (SparkpropRegressor) set(standardizeLabel, v);
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
  public SparkpropRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public SparkpropRegressionModel train(Dataset<?> dataset) {
    int numFeatures = Training.numFeatures(dataset, getFeaturesCol());
    LabelScaling scaling = getStandardizeLabel() && getLoss().equals("squared")
        ? LabelScaling.fit(dataset, getLabelCol()) : LabelScaling.NONE;
    TrainingResult r = Training.fit(this, scaling.apply(dataset, getLabelCol()), getFeaturesCol(),
        getLabelCol(), numFeatures, 1, getLoss());
    SparkpropRegressionModel model = new SparkpropRegressionModel(uid(),
        new ModelData(scaling.foldInto(r.model())));
    model.setSummary(new TrainingSummary(scaling.unscale(r.history()), r.steps(), r.stoppedEarly(),
        r.trainSeconds()));
    return copyValues(model, ParamMap.empty());
  }

  public static MLReader<SparkpropRegressor> read() {
    return Persistence.estimatorReader(SparkpropRegressor.class, SparkpropRegressor::new);
  }

  public static SparkpropRegressor load(String path) {
    return read().load(path);
  }

  // Setters return this class, as Spark's do.
  public SparkpropRegressor setHiddenLayers(String v) { return (SparkpropRegressor) set(hiddenLayers(), v); }
  public SparkpropRegressor setLoss(String v) { return (SparkpropRegressor) set(loss(), v); }
  public SparkpropRegressor setInit(String v) { return (SparkpropRegressor) set(init(), v); }
  public SparkpropRegressor setDropout(double v) { return (SparkpropRegressor) set(dropout(), v); }
  public SparkpropRegressor setBatchNorm(boolean v) { return (SparkpropRegressor) set(batchNorm(), v); }
  public SparkpropRegressor setOptimizer(String v) { return (SparkpropRegressor) set(optimizer(), v); }
  public SparkpropRegressor setStepSize(double v) { return (SparkpropRegressor) set(stepSize(), v); }
  public SparkpropRegressor setMomentum(double v) { return (SparkpropRegressor) set(momentum(), v); }
  public SparkpropRegressor setBeta1(double v) { return (SparkpropRegressor) set(beta1(), v); }
  public SparkpropRegressor setBeta2(double v) { return (SparkpropRegressor) set(beta2(), v); }
  public SparkpropRegressor setEpsilon(double v) { return (SparkpropRegressor) set(epsilon(), v); }
  public SparkpropRegressor setRho(double v) { return (SparkpropRegressor) set(rho(), v); }
  public SparkpropRegressor setWeightDecay(double v) { return (SparkpropRegressor) set(weightDecay(), v); }
  public SparkpropRegressor setSchedule(String v) { return (SparkpropRegressor) set(schedule(), v); }
  public SparkpropRegressor setRegParam(double v) { return (SparkpropRegressor) set(regParam(), v); }
  public SparkpropRegressor setElasticNetParam(double v) { return (SparkpropRegressor) set(elasticNetParam(), v); }
  public SparkpropRegressor setClipNorm(double v) { return (SparkpropRegressor) set(clipNorm(), v); }
  public SparkpropRegressor setBatchSize(int v) { return (SparkpropRegressor) set(batchSize(), v); }
  public SparkpropRegressor setMaxIter(int v) { return (SparkpropRegressor) set(maxIter(), v); }
  /** The older name of {@link #setMaxIter}. */
  public SparkpropRegressor setEpochs(int v) { return setMaxIter(v); }
  public SparkpropRegressor setMinSteps(int v) { return (SparkpropRegressor) set(minSteps(), v); }
  public SparkpropRegressor setSeed(long v) { return (SparkpropRegressor) set(seed(), v); }
  public SparkpropRegressor setScaling(String v) { return (SparkpropRegressor) set(scaling(), v); }
  public SparkpropRegressor setValidationFraction(double v) { return (SparkpropRegressor) set(validationFraction(), v); }
  public SparkpropRegressor setValidationIndicatorCol(String v) { return (SparkpropRegressor) set(validationIndicatorCol(), v); }
  public SparkpropRegressor setPatience(int v) { return (SparkpropRegressor) set(patience(), v); }
  public SparkpropRegressor setTol(double v) { return (SparkpropRegressor) set(tol(), v); }
  /** The older name of {@link #setTol}. */
  public SparkpropRegressor setMinDelta(double v) { return setTol(v); }
  public SparkpropRegressor setRestoreBest(boolean v) { return (SparkpropRegressor) set(restoreBest(), v); }
  public SparkpropRegressor setOnDivergence(String v) { return (SparkpropRegressor) set(onDivergence(), v); }
  public SparkpropRegressor setSyncMode(String v) { return (SparkpropRegressor) set(syncMode(), v); }
  public SparkpropRegressor setLocalSteps(int v) { return (SparkpropRegressor) set(localSteps(), v); }
  public SparkpropRegressor setStreamWindowRows(int v) { return (SparkpropRegressor) set(streamWindowRows(), v); }
  public SparkpropRegressor setOuterOptimizer(String v) { return (SparkpropRegressor) set(outerOptimizer(), v); }
  public SparkpropRegressor setOuterStepSize(double v) { return (SparkpropRegressor) set(outerStepSize(), v); }
  public SparkpropRegressor setOuterMomentum(double v) { return (SparkpropRegressor) set(outerMomentum(), v); }
  public SparkpropRegressor setNumPartitions(int v) { return (SparkpropRegressor) set(numPartitions(), v); }
  public SparkpropRegressor setNumReplicas(int v) { return (SparkpropRegressor) set(numReplicas(), v); }
  public SparkpropRegressor setAggregationDepth(int v) { return (SparkpropRegressor) set(aggregationDepth(), v); }
  public SparkpropRegressor setCheckpointDir(String v) { return (SparkpropRegressor) set(checkpointDir(), v); }
  public SparkpropRegressor setCheckpointInterval(int v) { return (SparkpropRegressor) set(checkpointInterval(), v); }
  public SparkpropRegressor setWeightCol(String v) { return (SparkpropRegressor) set(weightCol(), v); }
}
