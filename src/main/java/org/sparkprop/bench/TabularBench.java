package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.ml.SparkpropClassifier;
import org.sparkprop.ml.SparkpropRegressor;

/**
 * {@code scripts/bench.sh tabular}: one tabular dataset, as a new Spark user would train it. The
 * CSV (header, label column {@code label}) goes through StringIndexer (classification),
 * VectorAssembler and StandardScaler, split 80/20 with a fixed seed; then each estimator is fit
 * with its defaults on the same scaled training rows: Sparkprop's classifier or regressor with no
 * params set, and MLlib's LogisticRegression, MultilayerPerceptronClassifier with one hidden layer
 * of 64 and RandomForestClassifier with 100 trees (LinearRegression and RandomForestRegressor with
 * 100 trees for regression). Each fit runs twice and the second is timed (the first warms the JVM
 * up for that estimator); test accuracy or RMSE comes from the timed fit. One JSON line per fit,
 * then the dataset's verdict ({@code "bench":"tabular-dataset"}).
 *
 * <p>Usage: TabularBench CSV NAME classification|regression
 */
public final class TabularBench {

  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    String csv = args[0];
    String name = args[1];
    boolean classification = args[2].equals("classification");
    SparkSession spark = BenchSession.start("local[2]", "tabular-" + name, null, 0);
    try {
      Dataset<Row> raw = spark.read().option("header", true).option("inferSchema", true).csv(csv);
      String[] features = Arrays.stream(raw.columns()).filter(c -> !c.equals("label"))
          .toArray(String[]::new);
      List<PipelineStage> prep = new ArrayList<>();
      String label = "label";
      if (classification) {
        prep.add(new StringIndexer().setInputCol("label").setOutputCol("labelIndex"));
        label = "labelIndex";
      }
      prep.add(new VectorAssembler().setInputCols(features).setOutputCol("raw"));
      prep.add(new StandardScaler().setInputCol("raw").setOutputCol("features"));
      long splitSeed = Long.getLong("tabular.splitSeed", 42);   // other splits: for sweeps only
      Dataset<Row>[] split = raw.randomSplit(new double[] {0.8, 0.2}, splitSeed);
      PipelineModel prepModel = new Pipeline().setStages(prep.toArray(new PipelineStage[0]))
          .fit(split[0]);
      Dataset<Row> train = prepModel.transform(split[0]).select("features", label).cache();
      Dataset<Row> test = prepModel.transform(split[1]).select("features", label).cache();
      long rows = train.count();
      test.count();
      int classes = classification
          ? (int) train.select(label).distinct().count() : 0;
      Map<String, Estimator<?>> fits = new LinkedHashMap<>();
      if (classification) {
        fits.put("sparkprop", new SparkpropClassifier().setLabelCol(label));
        fits.put("logistic_regression", new LogisticRegression().setLabelCol(label));
        fits.put("mlpc_64", new MultilayerPerceptronClassifier().setLabelCol(label)
            .setLayers(new int[] {features.length, 64, classes}).setSeed(1));
        fits.put("random_forest_100", new RandomForestClassifier().setLabelCol(label)
            .setNumTrees(100).setSeed(1));
      } else {
        fits.put("sparkprop", new SparkpropRegressor().setLabelCol(label));
        fits.put("linear_regression", new LinearRegression().setLabelCol(label));
        fits.put("random_forest_100", new RandomForestRegressor().setLabelCol(label)
            .setNumTrees(100).setSeed(1));
      }
      overrideParams(fits.get("sparkprop"), System.getProperty("tabular.params", ""));
      String only = System.getProperty("tabular.only", "");     // e.g. sparkprop, for sweeps
      if (!only.isEmpty()) {
        fits.keySet().retainAll(List.of(only.split(",")));
      }
      Map<String, double[]> results = new LinkedHashMap<>();
      for (Map.Entry<String, Estimator<?>> e : fits.entrySet()) {
        e.getValue().fit(train);                                   // warm-up, not timed
        long t0 = System.nanoTime();
        Model<?> m = (Model<?>) e.getValue().fit(train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Dataset<Row> predicted = m.transform(test);
        double score = classification
            ? new MulticlassClassificationEvaluator().setLabelCol(label).setMetricName("accuracy")
                .evaluate(predicted)
            : new RegressionEvaluator().setLabelCol(label).setMetricName("rmse").evaluate(predicted);
        results.put(e.getKey(), new double[] {score, seconds});
        ObjectNode n = JSON.createObjectNode();
        n.put("bench", "tabular-fit");
        n.put("dataset", name);
        n.put("model", e.getKey());
        n.put("train_rows", rows);
        n.put("features", features.length);
        if (classification) {
          n.put("classes", classes);
          n.put("test_accuracy", r(score));
        } else {
          n.put("test_rmse", r(score));
        }
        n.put("fit_seconds", r(seconds));
        org.sparkprop.ml.TrainingSummary summary = m instanceof org.sparkprop.ml.SparkpropClassificationModel c
            && c.hasSummary() ? c.summary()
            : m instanceof org.sparkprop.ml.SparkpropRegressionModel g && g.hasSummary() ? g.summary() : null;
        if (summary != null) {
          n.put("epochs", summary.epochs().size());
          n.put("steps", summary.totalIterations());
          n.put("stopped_early", summary.stoppedEarly());
        }
        System.out.println(n);
      }
      if (only.isEmpty()) {
        System.out.println(verdict(name, classification, results));
      }
    } finally {
      spark.stop();
    }
  }

  /** Sets "name=value;name=value" params on {@code est} (for sweeps over candidate defaults). */
  static void overrideParams(Estimator<?> est, String spec) {
    for (String kv : spec.split(";")) {
      if (kv.isBlank()) {
        continue;
      }
      String[] p = kv.split("=", 2);
      org.apache.spark.ml.param.Param<Object> param = est.getParam(p[0].trim());
      Object v = param.getClass() == org.apache.spark.ml.param.Param.class ? p[1].trim()
          : param.jsonDecode(p[1].trim());                 // typed params: numbers, booleans
      est.set(param, v);
    }
  }

  /**
   * The target for one dataset: accuracy at least the better of LogisticRegression and
   * MLPC-64 minus half a point in less fit time than MLPC-64; for regression an RMSE at most
   * LinearRegression's.
   */
  static ObjectNode verdict(String name, boolean classification, Map<String, double[]> res) {
    double[] ours = res.get("sparkprop");
    ObjectNode n = JSON.createObjectNode();
    n.put("bench", "tabular-dataset");
    n.put("dataset", name);
    boolean win;
    if (classification) {
      double[] lr = res.get("logistic_regression");
      double[] mlpc = res.get("mlpc_64");
      double best = Math.max(lr[0], mlpc[0]);
      n.put("sparkprop_accuracy", r(ours[0]));
      n.put("best_of_lr_mlpc_accuracy", r(best));
      n.put("sparkprop_fit_seconds", r(ours[1]));
      n.put("mlpc_fit_seconds", r(mlpc[1]));
      win = ours[0] >= best - 0.005 && ours[1] < mlpc[1];
    } else {
      double[] lin = res.get("linear_regression");
      n.put("sparkprop_rmse", r(ours[0]));
      n.put("linear_regression_rmse", r(lin[0]));
      n.put("sparkprop_fit_seconds", r(ours[1]));
      win = ours[0] <= lin[0];
    }
    n.put("win", win);
    return n;
  }

  static double r(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
  }
}
