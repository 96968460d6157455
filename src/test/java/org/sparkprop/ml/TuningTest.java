package org.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.testing.TestData;

/**
 * A Pipeline of Spark feature transformers and Sparkprop's classifier, tuned by CrossValidator
 * (parallelism 2) and TrainValidationSplit on Fashion-MNIST, then saved and loaded.
 */
class TuningTest {

  static final String[] NAMES = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot"};
  static SparkSession spark;
  static Dataset<Row> train;
  static Dataset<Row> test;

  @TempDir
  Path dir;

  /** Fashion-MNIST rows with raw pixels (0..255) and the class *name* as label: work for the pipeline. */
  static Dataset<Row> frame(Block b, int rows) {
    Block sub = Blocks.select(b, Blocks.identity(b.rows()), 0, rows, "subset");
    Dataset<Row> df = SparkData.toDataFrame(spark, sub, 2);
    org.apache.spark.sql.Column name = functions.element_at(functions.array(
        java.util.Arrays.stream(NAMES).map(functions::lit).toArray(org.apache.spark.sql.Column[]::new)),
        functions.col("label").cast("int").plus(1));
    return df.withColumn("pixels", functions.col("features")).withColumn("item", name)
        .select("pixels", "item").cache();
  }

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    train = frame(TestData.fashionTrain(), 6000);
    test = frame(TestData.fashionTest(), 1000);
  }

  static Pipeline pipeline(SparkpropClassifier c) {
    StringIndexer labels = new StringIndexer().setInputCol("item").setOutputCol("label");
    MinMaxScaler scaler = new MinMaxScaler().setInputCol("pixels").setOutputCol("features");
    return new Pipeline().setStages(new PipelineStage[] {labels, scaler, c});
  }

  static SparkpropClassifier classifier() {
    return new SparkpropClassifier().setEpochs(4).setBatchSize(64).setSeed(3).setLocalSteps(10);
  }

  @Test
  void crossValidatorTunesAPipelineAndTheResultSavesAndLoads() throws Exception {
    SparkpropClassifier c = classifier();
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(c.hiddenLayers(), scala.jdk.javaapi.CollectionConverters.asScala(List.of("", "64relu")))
        .build();
    MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
        .setMetricName("accuracy");
    CrossValidator cv = new CrossValidator().setEstimator(pipeline(c)).setEstimatorParamMaps(grid)
        .setEvaluator(accuracy).setNumFolds(2).setParallelism(2).setSeed(5);
    CrossValidatorModel model = cv.fit(train);
    assertEquals(2, model.avgMetrics().length);
    for (double m : model.avgMetrics()) {
      assertTrue(m > 0.7, "cross-validated accuracy " + m);
    }
    PipelineModel best = (PipelineModel) model.bestModel();
    double testAccuracy = accuracy.evaluate(best.transform(test));
    assertTrue(testAccuracy > 0.75, "test accuracy " + testAccuracy);
    assertTrue(best.stages()[2] instanceof SparkpropClassificationModel);

    String path = dir.resolve("cv").toString();
    model.save(path);
    CrossValidatorModel loaded = CrossValidatorModel.load(path);
    PipelineModel loadedBest = (PipelineModel) loaded.bestModel();
    assertEquals(best.transform(test).select("probability", "prediction").collectAsList(),
        loadedBest.transform(test).select("probability", "prediction").collectAsList());
  }

  @Test
  void trainValidationSplitWithLossAndOptimizerInTheGrid() {
    SparkpropClassifier c = classifier();
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(c.loss(), scala.jdk.javaapi.CollectionConverters.asScala(List.of("cross_entropy", "hinge")))
        .build();
    TrainValidationSplitModel m = new TrainValidationSplit().setEstimator(pipeline(c))
        .setEstimatorParamMaps(grid).setEvaluator(new MulticlassClassificationEvaluator())
        .setTrainRatio(0.8).setParallelism(2).setSeed(1).fit(train);
    assertEquals(2, m.validationMetrics().length);
    for (double f1 : m.validationMetrics()) {
      assertTrue(f1 > 0.7, "validation F1 " + f1);
    }
  }
}
