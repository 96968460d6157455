package org.sparkprop.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;

/**
 * The params shared by Sparkprop's estimators and models, as public no-argument accessors (Spark
 * finds params by reflecting on such methods) and getters. Each implementing class holds one
 * {@link ParamSet} made for its own uid.
 */
public interface SparkpropParams {

  /** The params of this instance (not itself a Param, so reflection passes it by). */
  ParamSet paramSet();

  /** Implemented by Spark's Params. */
  <T> T getOrDefault(Param<T> param);

  /** Implemented by Spark's Params: whether the user set the param (not only its default). */
  boolean isSet(Param<?> param);

  default Param<String> hiddenLayers() { return paramSet().hiddenLayers; }
  default Param<String> loss() { return paramSet().loss; }
  default Param<String> init() { return paramSet().init; }
  default DoubleParam dropout() { return paramSet().dropout; }
  default BooleanParam batchNorm() { return paramSet().batchNorm; }
  default Param<String> optimizer() { return paramSet().optimizer; }
  default DoubleParam stepSize() { return paramSet().stepSize; }
  default DoubleParam momentum() { return paramSet().momentum; }
  default DoubleParam beta1() { return paramSet().beta1; }
  default DoubleParam beta2() { return paramSet().beta2; }
  default DoubleParam epsilon() { return paramSet().epsilon; }
  default DoubleParam rho() { return paramSet().rho; }
  default DoubleParam weightDecay() { return paramSet().weightDecay; }
  default Param<String> schedule() { return paramSet().schedule; }
  default DoubleParam regParam() { return paramSet().regParam; }
  default DoubleParam elasticNetParam() { return paramSet().elasticNetParam; }
  default DoubleParam clipNorm() { return paramSet().clipNorm; }
  default IntParam batchSize() { return paramSet().batchSize; }
  default IntParam maxIter() { return paramSet().maxIter; }
  default IntParam minSteps() { return paramSet().minSteps; }
  default LongParam seed() { return paramSet().seed; }
  default Param<String> scaling() { return paramSet().scaling; }
  default DoubleParam validationFraction() { return paramSet().validationFraction; }
  default Param<String> validationIndicatorCol() { return paramSet().validationIndicatorCol; }
  default IntParam patience() { return paramSet().patience; }
  default DoubleParam tol() { return paramSet().tol; }
  default BooleanParam restoreBest() { return paramSet().restoreBest; }
  default Param<String> onDivergence() { return paramSet().onDivergence; }
  default Param<String> syncMode() { return paramSet().syncMode; }
  default IntParam localSteps() { return paramSet().localSteps; }
  default IntParam streamWindowRows() { return paramSet().streamWindowRows; }
  default Param<String> outerOptimizer() { return paramSet().outerOptimizer; }
  default DoubleParam outerStepSize() { return paramSet().outerStepSize; }
  default DoubleParam outerMomentum() { return paramSet().outerMomentum; }
  default IntParam numPartitions() { return paramSet().numPartitions; }
  default IntParam numReplicas() { return paramSet().numReplicas; }
  default IntParam aggregationDepth() { return paramSet().aggregationDepth; }
  default Param<String> checkpointDir() { return paramSet().checkpointDir; }
  default IntParam checkpointInterval() { return paramSet().checkpointInterval; }
  default Param<String> weightCol() { return paramSet().weightCol; }

  default String getHiddenLayers() { return getOrDefault(hiddenLayers()); }
  default String getLoss() { return getOrDefault(loss()); }
  default String getInit() { return getOrDefault(init()); }
  default double getDropout() { return (Double) getOrDefault(dropout()); }
  default boolean getBatchNorm() { return (Boolean) getOrDefault(batchNorm()); }
  default String getOptimizer() { return getOrDefault(optimizer()); }
  default double getStepSize() { return (Double) getOrDefault(stepSize()); }
  default double getMomentum() { return (Double) getOrDefault(momentum()); }
  default double getBeta1() { return (Double) getOrDefault(beta1()); }
  default double getBeta2() { return (Double) getOrDefault(beta2()); }
  default double getEpsilon() { return (Double) getOrDefault(epsilon()); }
  default double getRho() { return (Double) getOrDefault(rho()); }
  default double getWeightDecay() { return (Double) getOrDefault(weightDecay()); }
  default String getSchedule() { return getOrDefault(schedule()); }
  default double getRegParam() { return (Double) getOrDefault(regParam()); }
  default double getElasticNetParam() { return (Double) getOrDefault(elasticNetParam()); }
  default double getClipNorm() { return (Double) getOrDefault(clipNorm()); }
  default int getBatchSize() { return (Integer) getOrDefault(batchSize()); }
  default int getMaxIter() { return (Integer) getOrDefault(maxIter()); }
  default int getEpochs() { return getMaxIter(); }
  default int getMinSteps() { return (Integer) getOrDefault(minSteps()); }
  default long getSeed() { return (Long) getOrDefault(seed()); }
  default String getScaling() { return getOrDefault(scaling()); }
  default double getValidationFraction() { return (Double) getOrDefault(validationFraction()); }
  default String getValidationIndicatorCol() { return getOrDefault(validationIndicatorCol()); }
  default int getPatience() { return (Integer) getOrDefault(patience()); }
  default double getTol() { return (Double) getOrDefault(tol()); }
  default double getMinDelta() { return getTol(); }
  default boolean getRestoreBest() { return (Boolean) getOrDefault(restoreBest()); }
  default String getOnDivergence() { return getOrDefault(onDivergence()); }
  default String getSyncMode() { return getOrDefault(syncMode()); }
  default int getLocalSteps() { return (Integer) getOrDefault(localSteps()); }
  default int getStreamWindowRows() { return (Integer) getOrDefault(streamWindowRows()); }
  default String getOuterOptimizer() { return getOrDefault(outerOptimizer()); }
  default double getOuterStepSize() { return (Double) getOrDefault(outerStepSize()); }
  default double getOuterMomentum() { return (Double) getOrDefault(outerMomentum()); }
  default int getNumPartitions() { return (Integer) getOrDefault(numPartitions()); }
  default int getNumReplicas() { return (Integer) getOrDefault(numReplicas()); }
  default int getAggregationDepth() { return (Integer) getOrDefault(aggregationDepth()); }
  default String getCheckpointDir() { return getOrDefault(checkpointDir()); }
  default int getCheckpointInterval() { return (Integer) getOrDefault(checkpointInterval()); }
  default String getWeightCol() { return getOrDefault(weightCol()); }
}
