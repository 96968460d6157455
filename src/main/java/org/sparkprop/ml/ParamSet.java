package org.sparkprop.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Init;
import org.sparkprop.nn.NetworkSpec;
import org.sparkprop.optim.Schedule;
import scala.Function1;

/**
 * Sparkprop's training params, created once per estimator or model for its uid, with docs,
 * validators and defaults. Estimators and models hold one and expose it through
 * {@link SparkpropParams}, so both declare exactly the same params (Spark copies params from
 * estimator to model by name) without repeating a definition.
 */
public final class ParamSet implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  final Param<String> hiddenLayers;
  final Param<String> loss;
  final Param<String> init;
  final DoubleParam dropout;
  final BooleanParam batchNorm;
  final Param<String> optimizer;
  final DoubleParam stepSize;
  final DoubleParam momentum;
  final DoubleParam beta1;
  final DoubleParam beta2;
  final DoubleParam epsilon;
  final DoubleParam rho;
  final DoubleParam weightDecay;
  final Param<String> schedule;
  final DoubleParam regParam;
  final DoubleParam elasticNetParam;
  final DoubleParam clipNorm;
  final IntParam batchSize;
  final IntParam maxIter;
  final IntParam minSteps;
  final LongParam seed;
  final Param<String> scaling;
  final DoubleParam validationFraction;
  final Param<String> validationIndicatorCol;
  final IntParam patience;
  final DoubleParam tol;
  final BooleanParam restoreBest;
  final Param<String> onDivergence;
  final Param<String> syncMode;
  final IntParam localSteps;
  final IntParam streamWindowRows;
  final Param<String> outerOptimizer;
  final DoubleParam outerStepSize;
  final DoubleParam outerMomentum;
  final IntParam numPartitions;
  final IntParam numReplicas;
  final IntParam aggregationDepth;
  final Param<String> checkpointDir;
  final IntParam checkpointInterval;
  final Param<String> weightCol;

  ParamSet(Params owner, boolean classifier) {
    hiddenLayers = new Param<>(owner, "hiddenLayers", "hidden blocks of the network, e.g. "
        + "'256relu-128relu' or '64tanh+bn+dropout(0.2)'; empty for a linear model; 'auto' (default): "
        + "100relu, or on fewer than 5000 rows whichever of 100relu and the linear model has the "
        + "better 5-fold cross-validated error rate (mean squared error for regression). Input and output sizes come from the data",
        valid(s -> s.isEmpty() || s.equals("auto") || parses("1-" + s + "-1")));
    loss = new Param<>(owner, "loss", classifier
        ? "training loss: cross_entropy (softmax; logistic for 2 classes), hinge (linear SVM), "
            + "perceptron or logistic (binary)"
        : "training loss: squared", valid(s -> classifier
            ? s.equals("cross_entropy") || s.equals("hinge") || s.equals("perceptron") || s.equals("logistic")
            : s.equals("squared")));
    init = new Param<>(owner, "init", "weight init: zeros, uniform(a), normal(s), xavier, "
        + "xavier_normal, he, he_uniform", valid(s -> {
          Init.parse(s);
          return true;
        }));
    dropout = new DoubleParam(owner, "dropout", "dropout probability after every hidden block "
        + "(in addition to any in hiddenLayers)", ParamValidators.inRange(0, 1, true, false));
    batchNorm = new BooleanParam(owner, "batchNorm", "batch normalisation in every hidden block");
    optimizer = new Param<>(owner, "optimizer", "sgd, momentum, nesterov, adagrad, rmsprop, adam, "
        + "adamw, or lbfgs (full-batch L-BFGS: maxIter iterations, one pass over the data each)",
        ParamValidators.inArray(new String[] {"sgd", "momentum", "nesterov", "adagrad", "rmsprop",
            "adam", "adamw", "lbfgs"}));
    stepSize = new DoubleParam(owner, "stepSize", "learning rate (base of the schedule)",
        ParamValidators.gt(0));
    momentum = new DoubleParam(owner, "momentum", "momentum of momentum and nesterov",
        ParamValidators.inRange(0, 1, true, false));
    beta1 = new DoubleParam(owner, "beta1", "Adam's first-moment decay", ParamValidators.inRange(0, 1, true, false));
    beta2 = new DoubleParam(owner, "beta2", "Adam's second-moment decay", ParamValidators.inRange(0, 1, true, false));
    epsilon = new DoubleParam(owner, "epsilon", "Adam/RMSProp/Adagrad epsilon", ParamValidators.gt(0));
    rho = new DoubleParam(owner, "rho", "RMSProp's decay", ParamValidators.inRange(0, 1, true, false));
    weightDecay = new DoubleParam(owner, "weightDecay", "AdamW's decoupled weight decay", ParamValidators.gtEq(0));
    schedule = new Param<>(owner, "schedule", "learning-rate schedule: constant, inverse_time(r), "
        + "exponential(l), step(r,steps), cosine, warmup(steps,<schedule>)", valid(s -> {
          Schedule.parse(s, 1, 100);
          return true;
        }));
    regParam = new DoubleParam(owner, "regParam", "penalty strength lambda (0 = none)", ParamValidators.gtEq(0));
    elasticNetParam = new DoubleParam(owner, "elasticNetParam",
        "penalty mixing alpha: 0 = L2, 1 = L1, in between elastic net", ParamValidators.inRange(0, 1));
    clipNorm = new DoubleParam(owner, "clipNorm", "clip gradients to this global norm (0 = off)",
        ParamValidators.gtEq(0));
    batchSize = new IntParam(owner, "batchSize", "rows each replica steps on (a synchronous step's global batch is replicas x batchSize; 0 = full batch)",
        ParamValidators.gtEq(0));
    maxIter = new IntParam(owner, "maxIter", "the most epochs (passes over the training data), "
        + "raised where minSteps needs more (minSteps = 0 makes it a hard cap); training stops "
        + "sooner when the monitored loss stops improving (patience, tol)",
        ParamValidators.gt(0));
    minSteps = new IntParam(owner, "minSteps", "the fewest optimizer steps: small data gets more "
        + "epochs to reach them, and early stopping waits for them (0 = none)", ParamValidators.gtEq(0));
    seed = new LongParam(owner, "seed", "root of every random stream");
    scaling = new Param<>(owner, "scaling", "feature scaling fitted on training data: none, minmax, standard",
        valid(s -> {
          Scaler.Kind.parse(s);
          return true;
        }));
    validationFraction = new DoubleParam(owner, "validationFraction",
        "share of the training rows held out for validation when no validationIndicatorCol is set; "
        + "-1 = automatic (10% of data with at least 5000 rows when patience > 0, else none)",
        (Function1<Object, Object>) new ValidationShare());
    validationIndicatorCol = new Param<>(owner, "validationIndicatorCol",
        "boolean column: true marks validation rows (empty = none)", valid(ParamSet::columnName));
    patience = new IntParam(owner, "patience", "stop after this many epochs without an improvement "
        + "of more than tol in the monitored loss: the validation loss if there is validation data, "
        + "else the training loss (0 = off: run maxIter epochs)", ParamValidators.gtEq(0));
    tol = new DoubleParam(owner, "tol", "the smallest decrease of the monitored loss that counts as "
        + "an improvement", ParamValidators.gtEq(0));
    restoreBest = new BooleanParam(owner, "restoreBest", "after early stopping, keep the best epoch's weights");
    onDivergence = new Param<>(owner, "onDivergence", "on a non-finite loss or gradient: stop, or skip "
        + "the step and halve the learning rate", ParamValidators.inArray(new String[] {"stop", "skip"}));
    syncMode = new Param<>(owner, "syncMode", "auto (allreduce from 2 replicas where a barrier "
        + "stage can run, else local_sgd), "
        + "sync (one Spark job per step), local_sgd (one job per "
        + "round of localSteps steps, models averaged) or allreduce (one barrier stage per epoch, "
        + "gradients all-reduced among the tasks every step)",
        ParamValidators.inArray(new String[] {"auto", "sync", "local_sgd", "allreduce"}));
    localSteps = new IntParam(owner, "localSteps", "local SGD period H (0 = chosen from the measured "
        + "Spark overhead)", ParamValidators.gtEq(0));
    streamWindowRows = new IntParam(owner, "streamWindowRows", "0: each replica holds its rows in "
        + "memory, shuffled whole every epoch; W > 0: for data larger than memory, it streams its "
        + "blocks from the executors' disks, shuffling within windows of W rows (set "
        + "spark.serializer.objectStreamReset=1 in the session)", ParamValidators.gtEq(0));
    outerOptimizer = new Param<>(owner, "outerOptimizer", "local SGD's driver update: average, "
        + "momentum, nesterov, adam", ParamValidators.inArray(new String[] {"average", "momentum", "nesterov", "adam"}));
    outerStepSize = new DoubleParam(owner, "outerStepSize", "local SGD's outer learning rate", ParamValidators.gt(0));
    outerMomentum = new DoubleParam(owner, "outerMomentum", "momentum of local SGD's outer momentum "
        + "or nesterov update", ParamValidators.inRange(0, 1, true, false));
    numPartitions = new IntParam(owner, "numPartitions", "partitions of the training data (0 = the "
        + "executor cores, Spark's default parallelism)",
        ParamValidators.gtEq(0));
    numReplicas = new IntParam(owner, "numReplicas", "copies of the model that step independently "
        + "(0 = min(partitions, task slots, rows / (batchSize x 100)))", ParamValidators.gtEq(0));
    aggregationDepth = new IntParam(owner, "aggregationDepth", "depth of the tree that sums the "
        + "feature-scaling statistics (partials themselves sum in a fixed order)",
        ParamValidators.gtEq(1));
    checkpointDir = new Param<>(owner, "checkpointDir", "Hadoop path for training checkpoints; each "
        + "fit writes into its own subfolder, resumes one an unfinished fit of the same params on "
        + "the same data left, and deletes it when it completes (empty = none)",
        valid(s -> s.isEmpty() || new org.apache.hadoop.fs.Path(s).toUri() != null));
    checkpointInterval = new IntParam(owner, "checkpointInterval", "Spark jobs between checkpoints",
        ParamValidators.gtEq(1));
    weightCol = new Param<>(owner, "weightCol", "sample weight column (empty = all rows weigh 1)",
        valid(ParamSet::columnName));
  }

  /** The defaults, as a user of PyTorch or Spark expects them; applied by each owner. */
  void setDefaults(Params owner, boolean classifier) {
    def(owner, hiddenLayers, "auto");
    def(owner, loss, classifier ? "cross_entropy" : "squared");
    def(owner, init, "he");
    def(owner, dropout, 0.0);
    def(owner, batchNorm, false);
    def(owner, optimizer, "adam");
    def(owner, stepSize, 1e-3);
    def(owner, momentum, 0.9);
    def(owner, beta1, 0.9);
    def(owner, beta2, 0.999);
    def(owner, epsilon, 1e-8);
    def(owner, rho, 0.99);
    def(owner, weightDecay, 0.01);
    def(owner, schedule, "constant");
    def(owner, regParam, 0.0);
    def(owner, elasticNetParam, 0.0);
    def(owner, clipNorm, 0.0);
    def(owner, batchSize, 128);
    def(owner, maxIter, 200);
    def(owner, minSteps, 1000);
    def(owner, seed, (long) owner.getClass().getName().hashCode());
    def(owner, scaling, "none");
    def(owner, validationFraction, -1.0);
    def(owner, validationIndicatorCol, "");
    def(owner, patience, 10);
    def(owner, tol, 1e-4);
    def(owner, restoreBest, true);
    def(owner, onDivergence, "stop");
    def(owner, syncMode, "auto");
    def(owner, localSteps, 0);
    def(owner, streamWindowRows, 0);
    def(owner, outerOptimizer, "average");
    def(owner, outerStepSize, 1.0);
    def(owner, outerMomentum, 0.9);
    def(owner, numPartitions, 0);
    def(owner, numReplicas, 0);
    def(owner, aggregationDepth, 2);
    def(owner, checkpointDir, "");
    def(owner, checkpointInterval, 50);
    def(owner, weightCol, "");
  }

  private static <T> void def(Params owner, Param<T> p, T value) {
    owner.setDefault(p, value);
  }

  /** validationFraction: in [0, 1), or −1 for automatic. */
  private static final class ValidationShare extends scala.runtime.AbstractFunction1<Object, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(Object v) {
      double d = (Double) v;
      return d == -1 || d >= 0 && d < 1;
    }
  }

  /** A column name, or empty: no surrounding whitespace (a name Spark would not find). */
  private static boolean columnName(String s) {
    return s.equals(s.strip());
  }

  private static boolean parses(String spec) {
    NetworkSpec.parse(spec);
    return true;
  }

  /** A serialisable string predicate (params travel with models into Spark tasks). */
  interface Check extends java.util.function.Predicate<String>, java.io.Serializable {}

  /** A Spark validator from a Java predicate; a predicate that throws counts as invalid. */
  private static Function1<String, Object> valid(Check p) {
    return new Validator(p);
  }

  private static final class Validator extends scala.runtime.AbstractFunction1<String, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Check p;

    Validator(Check p) {
      this.p = p;
    }

    @Override
    public Object apply(String s) {
      try {
        return s != null && p.test(s);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}
