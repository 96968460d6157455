package org.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.classification.OneVsRest;
import org.apache.spark.ml.classification.OneVsRestModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;

/** Sparkprop's estimators in the style of Spark's own estimator suites. */
class SparkpropClassifierTest {

  static SparkSession spark;
  static Dataset<Row> moons;
  static Dataset<Row> blobs;

  @TempDir
  Path dir;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    moons = SparkData.toDataFrame(spark, ToySets.twoMoons(1000, 0.1, 1), 2).cache();
    blobs = SparkData.toDataFrame(spark, ToySets.blobs(900, 3, 4, 0.8, 2), 2).cache();
  }

  static SparkpropClassifier small() {
    return new SparkpropClassifier().setHiddenLayers("16tanh").setEpochs(15).setPatience(0).setBatchSize(32)
        .setStepSize(0.01).setInit("xavier").setSeed(7).setLocalSteps(4);
  }

  static double accuracy(Dataset<Row> predictions) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predictions);
  }

  @Test
  void paramsHaveNamesDocsDefaultsAndTheRightParent() {
    SparkpropClassifier c = new SparkpropClassifier();
    Param<?>[] params = c.params();
    assertTrue(params.length > 35, "params found by reflection: " + params.length);
    List<String> names = new ArrayList<>();
    for (Param<?> p : params) {
      names.add(p.name());
      assertEquals(c.uid(), p.parent(), p.name() + " belongs to the estimator");
      assertFalse(p.doc().isEmpty(), p.name() + " has a doc");
      if (!p.name().equals("thresholds")) {
        assertTrue(c.hasDefault(p), p.name() + " has a default");
      }
      assertTrue(c.explainParam(p).contains(p.name()));
    }
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    assertEquals(sorted, names, "params are listed by name");
    assertTrue(names.containsAll(List.of("featuresCol", "labelCol", "predictionCol",
        "rawPredictionCol", "probabilityCol", "weightCol", "seed", "stepSize", "regParam",
        "elasticNetParam", "aggregationDepth", "checkpointInterval", "validationIndicatorCol",
        "hiddenLayers", "loss", "optimizer", "batchSize", "maxIter", "tol", "minSteps", "syncMode", "localSteps")));
    assertEquals("adam", c.getOptimizer());
    assertEquals(1e-3, c.getStepSize());
    assertEquals(128, c.getBatchSize());
    assertEquals("auto", c.getSyncMode());
    assertEquals(0, c.getNumReplicas());
  }

  @Test
  void invalidValuesAreRefusedWhenSet() {
    SparkpropClassifier c = new SparkpropClassifier();
    assertThrows(IllegalArgumentException.class, () -> c.setHiddenLayers("256relux"));
    assertThrows(IllegalArgumentException.class, () -> c.setOptimizer("adamm"));
    assertThrows(IllegalArgumentException.class, () -> c.setStepSize(-1));
    assertThrows(IllegalArgumentException.class, () -> c.setDropout(1.0));
    assertThrows(IllegalArgumentException.class, () -> c.setLoss("squared"));
    assertThrows(IllegalArgumentException.class, () -> new SparkpropRegressor().setLoss("hinge"));
    assertThrows(IllegalArgumentException.class, () -> c.setSchedule("cosinus"));
    assertThrows(IllegalArgumentException.class, () -> c.setWeightCol(" w"));
    assertThrows(IllegalArgumentException.class, () -> c.setValidationIndicatorCol("isVal "));
    assertThrows(IllegalArgumentException.class, () -> c.setCheckpointDir("a:b"));
    c.setWeightCol("w").setValidationIndicatorCol("").setCheckpointDir("file:///tmp/ck");
  }

  @Test
  void copyAndUid() {
    SparkpropClassifier c = small();
    SparkpropClassifier copy = c.copy(new ParamMap().put(c.maxIter(), 3));
    assertSame(SparkpropClassifier.class, copy.getClass());
    assertEquals(c.uid(), copy.uid());
    assertEquals(3, copy.getEpochs());
    assertEquals(15, c.getEpochs(), "copy does not touch the original");
    assertEquals(c.uid(), copy.maxIter().parent());
    SparkpropClassificationModel model = c.setEpochs(2).fit(moons);
    assertEquals(c.uid(), model.uid(), "the model takes the estimator's uid");
    assertSame(c, model.parent());
    SparkpropClassificationModel mc = model.copy(ParamMap.empty());
    assertNotSame(model, mc);
    assertEquals(model.uid(), mc.uid());
    assertSame(model.parent(), mc.parent());
    assertEquals("16tanh", mc.getHiddenLayers(), "params copied from the estimator");
  }

  @Test
  void fitsTransformsAndKeepsASummary() {
    SparkpropClassificationModel m = small().fit(moons);
    Dataset<Row> out = m.transform(moons);
    assertTrue(List.of(out.columns()).containsAll(List.of("rawPrediction", "probability", "prediction")));
    assertTrue(accuracy(out) > 0.95, "accuracy " + accuracy(out));
    Row r = out.first();
    Vector prob = r.getAs("probability");
    assertEquals(1.0, prob.apply(0) + prob.apply(1), 1e-9);
    Vector raw = r.getAs("rawPrediction");
    assertEquals(-raw.apply(0), raw.apply(1), 1e-9, "binary raw prediction is [-z, z]");
    assertEquals(2, m.numClasses());
    assertEquals(2, m.numFeatures());
    assertEquals(15, m.summary().objectiveHistory().length);
    assertTrue(m.summary().totalIterations() > 0);
    SparkpropClassificationModel multi = small().fit(blobs);
    assertEquals(3, multi.numClasses());
    assertTrue(accuracy(multi.transform(blobs)) > 0.9);
    // All-reduced synchronous steps through the same params (two replicas: a global batch of 64,
    // so half the sequential steps of the single replica above).
    SparkpropClassificationModel ar = small().setSyncMode("allreduce").setNumReplicas(2).fit(moons);
    assertTrue(accuracy(ar.transform(moons)) > 0.9, "allreduce accuracy " + accuracy(ar.transform(moons)));
    // Disabling an output column
    Dataset<Row> noProb = multi.copy(ParamMap.empty()).setProbabilityCol("").transform(blobs);
    assertFalse(List.of(noProb.columns()).contains("probability"));
  }

  @Test
  void streamWindowRowsReachesTheTrainerAndOneWindowIsTheInMemoryOrder() {
    SparkpropClassifier c = small().setEpochs(2).setNumReplicas(2).setSyncMode("allreduce");
    float[] inMemory = c.fit(blobs).engineModel().params();
    float[] oneWindow = c.copy(new ParamMap()).setStreamWindowRows(100_000).fit(blobs)
        .engineModel().params();
    float[] windows = c.copy(new ParamMap()).setStreamWindowRows(50).fit(blobs)
        .engineModel().params();
    assertArrayEquals(inMemory, oneWindow);
    assertFalse(java.util.Arrays.equals(inMemory, windows), "windows of 50 rows: another order");
  }

  @Test
  void everyNumericLabelTypeTrainsTheSameModelAndStringsAreRefused() {
    float[] reference = null;
    for (String type : List.of("double", "float", "int", "long", "short", "byte", "decimal(10,0)")) {
      Dataset<Row> typed = blobs.withColumn("label", functions.col("label").cast(type));
      SparkpropClassificationModel m = small().setEpochs(2).fit(typed);
      float[] w = m.engineModel().params();
      if (reference == null) {
        reference = w;
      } else {
        assertArrayEquals(reference, w, "label type " + type);
      }
    }
    Dataset<Row> strings = blobs.withColumn("label", functions.col("label").cast("string"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> small().fit(strings));
    assertTrue(e.getMessage().contains("must be of type numeric"), e.getMessage());
  }

  @Test
  void estimatorAndModelRoundTripThroughSaveAndLoad() throws IOException {
    SparkpropClassifier c = small().setRegParam(1e-4).setEpochs(3);
    String ePath = dir.resolve("estimator").toString();
    c.save(ePath);
    assertThrows(IOException.class, () -> c.save(ePath), "no silent overwrite");
    c.write().overwrite().save(ePath);
    SparkpropClassifier loaded = SparkpropClassifier.load(ePath);
    assertEquals(c.uid(), loaded.uid());
    for (Param<?> p : c.params()) {
      assertEquals(c.isDefined(p), loaded.isDefined(p), p.name());
      if (c.isDefined(p)) {
        assertEquals(String.valueOf(c.getOrDefault(p)), String.valueOf(loaded.getOrDefault(p)), p.name());
      }
    }

    SparkpropClassificationModel m = c.fit(blobs);
    String mPath = dir.resolve("model").toString();
    m.save(mPath);
    assertThrows(IOException.class, () -> m.save(mPath));
    SparkpropClassificationModel back = SparkpropClassificationModel.load(mPath);
    assertEquals(m.uid(), back.uid());
    assertEquals(m.getRegParam(), back.getRegParam());
    assertEquals(m.numClasses(), back.numClasses());
    List<Row> before = m.transform(blobs).select("rawPrediction", "probability", "prediction").collectAsList();
    List<Row> after = back.transform(blobs).select("rawPrediction", "probability", "prediction").collectAsList();
    assertEquals(before, after, "identical predictions after save and load");
    assertTrue(Files.exists(Path.of(mPath, "model", "metadata.json")), "the command line's format");
    assertFalse(back.hasSummary());

    Exception wrong = assertThrows(Exception.class, () -> SparkpropRegressionModel.load(mPath));
    assertTrue(wrong.getMessage().contains("not a org.sparkprop.ml.SparkpropRegressionModel"),
        wrong.getMessage());
    Path meta = Path.of(mPath, "metadata", "part-00000");
    Files.writeString(meta, Files.readString(meta).replace("\"sparkpropFormatVersion\":1",
        "\"sparkpropFormatVersion\":99"));
    Files.deleteIfExists(Path.of(mPath, "metadata", ".part-00000.crc"));   // Hadoop would catch the edit
    Exception version = assertThrows(Exception.class, () -> SparkpropClassificationModel.load(mPath));
    assertTrue(version.getMessage().contains("format version 99"), version.getMessage());
  }

  @Test
  void transformRunsNoActionAndWorksOnStreams() throws Exception {
    SparkpropClassificationModel m = small().setEpochs(3).fit(moons);
    Path in = dir.resolve("stream-in");
    moons.limit(50).write().parquet(in.toString());
    Dataset<Row> stream = spark.readStream().schema(moons.schema()).parquet(in.toString());
    StreamingQuery q = m.transform(stream).select("prediction").writeStream().format("memory")
        .queryName("sparkprop_predictions").start();
    q.processAllAvailable();
    q.stop();
    long n = spark.sql("select * from sparkprop_predictions").count();
    assertEquals(50, n);
  }

  @Test
  void worksInsideSparksOneVsRestAndAsOneVsOne() throws IOException {
    SparkpropClassifier binary = new SparkpropClassifier().setHiddenLayers("").setLoss("hinge")
        .setInit("zeros").setEpochs(10).setBatchSize(32).setStepSize(0.05).setLocalSteps(4);
    OneVsRestModel ovr = new OneVsRest().setClassifier(binary).fit(blobs);
    assertEquals(3, ovr.models().length);
    assertTrue(accuracy(ovr.transform(blobs)) > 0.85, "one-vs-rest accuracy");
    SparkpropOneVsOneModel ovo = new SparkpropOneVsOne().setClassifier(binary).fit(blobs);
    assertEquals(3, ovo.models().size());
    assertTrue(accuracy(ovo.transform(blobs)) > 0.85, "one-vs-one accuracy");

    String ovrPath = dir.resolve("ovr").toString();
    ovr.save(ovrPath);
    assertEquals(ovr.transform(blobs).select("prediction").collectAsList(),
        OneVsRestModel.load(ovrPath).transform(blobs).select("prediction").collectAsList());
    String ovoPath = dir.resolve("ovo").toString();
    ovo.save(ovoPath);
    SparkpropOneVsOneModel ovoBack = SparkpropOneVsOneModel.load(ovoPath);
    assertEquals(ovo.uid(), ovoBack.uid());
    assertEquals(ovo.transform(blobs).select("prediction").collectAsList(),
        ovoBack.transform(blobs).select("prediction").collectAsList());
    SparkpropOneVsOne est = new SparkpropOneVsOne().setClassifier(binary).setPredictionCol("vote");
    est.save(dir.resolve("ovo-estimator").toString());
    SparkpropOneVsOne estBack = SparkpropOneVsOne.load(dir.resolve("ovo-estimator").toString());
    assertEquals("vote", estBack.getOrDefault(estBack.predictionCol()));
    assertEquals("hinge", estBack.getClassifier().getLoss());
    assertEquals(10, estBack.getClassifier().getEpochs());
  }

  @Test
  void regressorFitsALinearModel() throws IOException {
    Dataset<Row> reg = SparkData.toDataFrame(spark, ToySets.linear(3000, 5, 0.1, 3).block(), 2);
    SparkpropRegressor r = new SparkpropRegressor().setHiddenLayers("").setInit("zeros").setEpochs(15)
        .setPatience(0).setBatchSize(64)
        .setStepSize(0.02).setSchedule("cosine").setLocalSteps(8);
    SparkpropRegressionModel m = r.fit(reg);
    double rmse = new RegressionEvaluator().setMetricName("rmse").evaluate(m.transform(reg));
    assertEquals(0.1, rmse, 0.02, "RMSE near the noise level");
    String path = dir.resolve("reg").toString();
    m.save(path);
    SparkpropRegressionModel back = SparkpropRegressionModel.load(path);
    assertEquals(m.transform(reg).select("prediction").collectAsList(),
        back.transform(reg).select("prediction").collectAsList());
  }

  @Test
  void regressorDefaultsTrainALabelInTheThousands() {
    // y = 1000 + 300·(x·β + b + noise): the label's sd is in the hundreds, its noise sd 30.
    org.sparkprop.data.Block base = ToySets.linear(2000, 5, 0.1, 4).block();
    float[] y = base.y().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = 1000 + 300 * y[i];
    }
    Dataset<Row> big = SparkData.toDataFrame(spark, new org.sparkprop.data.Block(base.rows(),
        base.features(), 1, base.x(), y, null, "shifted"), 2).cache();
    RegressionEvaluator rmse = new RegressionEvaluator().setMetricName("rmse");
    // The default network (on linear data hiddenLayers = auto would rightly pick the linear model).
    SparkpropRegressionModel m = new SparkpropRegressor().setSeed(1).setHiddenLayers("100relu").fit(big);
    double standardised = rmse.evaluate(m.transform(big));
    double raw = rmse.evaluate(new SparkpropRegressor().setSeed(1).setHiddenLayers("100relu")
        .setStandardizeLabel(false).fit(big).transform(big));
    assertTrue(standardised < 45, "default RMSE " + standardised + " near the noise (30)");
    assertTrue(raw > 3 * standardised, "raw labels train far worse at the default rate: " + raw);
  }

  @Test
  void classifierDefaultsUseTheConvergingBudget() {
    SparkpropClassifier c = new SparkpropClassifier();
    assertEquals("auto", c.getHiddenLayers());
    assertEquals(200, c.getMaxIter());
    assertEquals(10, c.getPatience());
    assertEquals(1e-4, c.getTol());
    assertEquals(-1.0, c.getValidationFraction());
    assertEquals(7, c.setEpochs(7).getMaxIter(), "setEpochs is maxIter's older name");
    assertThrows(IllegalArgumentException.class, () -> c.setValidationFraction(-0.5));
    SparkpropClassificationModel m = new SparkpropClassifier().setSeed(2).setHiddenLayers("100relu")
        .fit(blobs);
    assertTrue(accuracy(m.transform(blobs)) > 0.9, "defaults fit 900 rows of 3 blobs");
    assertTrue(m.summary().totalIterations() >= 1000, "small data gets minSteps steps: "
        + m.summary().totalIterations());
  }

  @Test
  void lbfgsIsAnOptimizerOfTheEstimators() {
    SparkpropClassificationModel m = new SparkpropClassifier().setHiddenLayers("").setOptimizer("lbfgs")
        .setMaxIter(50).setRegParam(1e-3).fit(blobs);
    assertTrue(accuracy(m.transform(blobs)) > 0.9, "softmax regression by L-BFGS");
    assertTrue(m.summary().totalIterations() <= 50);
    assertThrows(IllegalArgumentException.class, () -> new SparkpropClassifier().setOptimizer("lbfgs")
        .setRegParam(0.1).setElasticNetParam(0.5).fit(blobs), "L-BFGS refuses an L1 part");
  }

  @Test
  void oneModelFormatForTheCommandLineAndSparkMl() throws IOException {
    // A model `sparkprop train` wrote loads as a Spark ML model (from its folder or the run's).
    Path run = dir.resolve("cli-run");
    assertEquals(0, org.sparkprop.cli.Main.execute("train", "--config", "conf/two-moons.conf",
        "--set", "training.trainer=local", "--set", "training.epochs=3", "--out", run.toString()));
    org.sparkprop.train.Model cli = org.sparkprop.train.ModelIO.load(
        new org.sparkprop.train.LocalFileStore(run.resolve("model")));
    SparkpropClassificationModel fromModel = SparkpropClassificationModel.load(run.resolve("model").toString());
    SparkpropClassificationModel fromRun = SparkpropClassificationModel.load(run.toString());
    assertArrayEquals(cli.params(), fromModel.engineModel().params());
    assertArrayEquals(cli.params(), fromRun.engineModel().params());
    assertEquals(2, fromModel.numClasses());
    Dataset<Row> scored = fromModel.transform(moons);
    List<Row> rows = scored.select("features", "prediction").collectAsList();
    org.sparkprop.train.Predictor p = cli.predictor(1);
    int[] cls = new int[1];
    for (Row r : rows.subList(0, 50)) {
      double[] f = ((Vector) r.get(0)).toArray();
      p.classes(new float[] {(float) f[0], (float) f[1]}, 1, cls);
      assertEquals(cls[0], r.getDouble(1), 0.0, "the Spark ML model predicts as the CLI model");
    }
    assertThrows(java.io.UncheckedIOException.class,
        () -> SparkpropRegressionModel.load(run.resolve("model").toString()), "a classifier is not a regressor");
    // ... and a Spark ML model folder is a model for `sparkprop evaluate`.
    String sparkMl = dir.resolve("spark-ml-model").toString();
    fromModel.write().overwrite().save(sparkMl);
    assertEquals(0, org.sparkprop.cli.Main.execute("evaluate", "--model", sparkMl, "--data",
        "toy:two_moons?n=200&seed=5"));
  }

  @Test
  void savedDefaultsAndOlderParamNamesStillLoad() throws IOException {
    SparkpropClassificationModel m = small().fit(moons);
    String path = dir.resolve("renamed").toString();
    m.write().overwrite().save(path);
    // Rewrite the metadata as an older version wrote it: epochs and minDelta, another default.
    Path meta = Path.of(path, "metadata", "part-00000");
    String line = Files.readString(meta).replace("\"maxIter\"", "\"epochs\"")
        .replace("\"tol\"", "\"minDelta\"").replace("\"restoreBest\":true", "\"restoreBest\":false");
    Files.writeString(meta, line);
    Files.deleteIfExists(meta.resolveSibling(".part-00000.crc"));     // Hadoop's checksum of the old text
    SparkpropClassificationModel back = SparkpropClassificationModel.load(path);
    assertEquals(15, back.getMaxIter(), "an older name keeps its value");
    assertEquals(0, back.getPatience(), "set before saving");
    assertFalse(back.getRestoreBest(), "the saved default, not this version's");
    assertFalse(back.isSet(back.restoreBest()));
    // An estimator saved with the older names loads too (Spark's own reader would refuse them).
    String est = dir.resolve("renamed-estimator").toString();
    small().setTol(0.01).write().overwrite().save(est);
    Path estMeta;
    try (var files = Files.list(Path.of(est, "metadata"))) {     // Spark names its part file
      estMeta = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    Files.writeString(estMeta, Files.readString(estMeta).replace("\"maxIter\"", "\"epochs\"")
        .replace("\"tol\"", "\"minDelta\""));
    Files.deleteIfExists(estMeta.resolveSibling("." + estMeta.getFileName() + ".crc"));
    SparkpropClassifier loaded = SparkpropClassifier.load(est);
    assertEquals(15, loaded.getMaxIter());
    assertEquals(0.01, loaded.getTol());
    assertEquals("16tanh", loaded.getHiddenLayers());
  }

  @Test
  void registeredForSparkMlDiscovery() {
    List<String> found = new ArrayList<>();
    for (Estimator<?> e : ServiceLoader.load(Estimator.class)) {
      found.add(e.getClass().getName());
    }
    assertTrue(found.contains(SparkpropClassifier.class.getName()), found.toString());
    assertTrue(found.contains(SparkpropRegressor.class.getName()), found.toString());
    assertTrue(found.contains(SparkpropOneVsOne.class.getName()), found.toString());
    // Spark's own registered models cannot all be made without arguments: list the providers'
    // types without instantiating them, then make ours as Spark Connect would.
    List<String> models = ServiceLoader.load(org.apache.spark.ml.Transformer.class).stream()
        .map(p -> p.type().getName()).toList();
    new SparkpropOneVsOneModel();
    assertTrue(models.containsAll(List.of(SparkpropClassificationModel.class.getName(),
        SparkpropRegressionModel.class.getName(), SparkpropOneVsOneModel.class.getName())), models.toString());
  }

  /**
   * Issue 14: copy(extra) dropped extra's params of the base classifier, so a CrossValidator grid
   * over the base (the way OneVsRest is tuned) was silently ignored.
   */
  @Test
  void oneVsOneCopiesTheBaseClassifiersParamsFromExtra() {
    SparkpropClassifier base = new SparkpropClassifier().setEpochs(3);
    SparkpropOneVsOne ovo = new SparkpropOneVsOne().setClassifier(base);
    org.apache.spark.ml.param.ParamMap grid = new org.apache.spark.ml.param.ParamMap()
        .put(base.maxIter().w(7)).put(ovo.predictionCol().w("vote"));
    SparkpropOneVsOne copy = ovo.copy(grid);
    assertEquals(7, (int) copy.getClassifier().getOrDefault(copy.getClassifier().maxIter()));
    assertEquals("vote", copy.getOrDefault(copy.predictionCol()));
    assertEquals(3, (int) ovo.getClassifier().getOrDefault(ovo.getClassifier().maxIter()));
    // The base is a Param, as OneVsRest's: a grid may swap it.
    SparkpropClassifier other = new SparkpropClassifier().setLoss("hinge");
    SparkpropOneVsOne swapped = ovo.copy(new org.apache.spark.ml.param.ParamMap()
        .put(ovo.classifier().w(other)));
    assertEquals("hinge", swapped.getClassifier().getLoss());
    assertTrue(ovo.explainParams().contains("classifier"));
  }
}
