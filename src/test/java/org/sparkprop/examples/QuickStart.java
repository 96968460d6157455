package org.sparkprop.examples;

import java.nio.file.Files;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.ToySets;
import org.sparkprop.ml.SparkpropClassificationModel;
import org.sparkprop.ml.SparkpropClassifier;
import org.sparkprop.spark.SparkData;

/**
 * The Java example of README.md ("Use it from Java / Spark ML"): the lines between the markers are
 * the README's code block, and ReadmeExampleTest checks that they are the same and runs them.
 */
public final class QuickStart {

  private QuickStart() {}

  /** Returns the test accuracy; writes the model to {@code modelPath}. */
  public static double run(SparkSession spark, String modelPath) throws Exception {
    // README-BEGIN
    // A DataFrame with a Vector "features" column and a numeric "label" column (class indices).
    Dataset<Row> data = SparkData.toDataFrame(spark, ToySets.twoMoons(2000, 0.1, 1), 2);
    Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, 42);

    SparkpropClassifier mlp = new SparkpropClassifier()
        .setHiddenLayers("32tanh-32tanh")   // input and output sizes come from the data
        .setOptimizer("adam").setStepSize(0.01)
        .setBatchSize(64).setEpochs(20)
        .setSeed(1);
    SparkpropClassificationModel model = mlp.fit(split[0]);

    Dataset<Row> predictions = model.transform(split[1]);   // rawPrediction, probability, prediction
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(predictions);
    System.out.printf("test accuracy %.3f after %d epochs%n", accuracy,
        model.summary().objectiveHistory().length);

    model.write().overwrite().save(modelPath);
    SparkpropClassificationModel reloaded = SparkpropClassificationModel.load(modelPath);
    // README-END
    if (!reloaded.uid().equals(model.uid())) {
      throw new IllegalStateException("reloaded model differs");
    }
    return accuracy;
  }

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("quickstart")
        .getOrCreate();
    try {
      run(spark, Files.createTempDirectory("sparkprop-quickstart").resolve("model").toString());
    } finally {
      spark.stop();
    }
  }
}
