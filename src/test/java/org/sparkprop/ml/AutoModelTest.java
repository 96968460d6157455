package org.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;

/** hiddenLayers = auto, the default: the data chooses between the network and the linear model. */
class AutoModelTest {

  static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  private static String selection(org.sparkprop.train.Model m) {
    Object how = m.provenance().get("modelSelection");
    return how == null ? null : how.toString();
  }

  @Test
  void smallNoisyLinearDataGetsTheLinearModel() {
    Dataset<Row> df = SparkData.toDataFrame(spark, ToySets.linear(200, 6, 1.0, 8).block(), 2);
    SparkpropRegressionModel m = new SparkpropRegressor().setSeed(3).fit(df);
    assertTrue(selection(m.engineModel()).startsWith("hiddenLayers auto: linear from"),
        selection(m.engineModel()));
    assertEquals(0, m.engineModel().network().spec().hiddenLayers(), "the chosen model is the one trained");
    assertEquals("lbfgs", ((java.util.Map<?, ?>) m.engineModel().provenance().get("config"))
        .get("optimizer"), "the linear model trains by full-batch L-BFGS");
  }

  @Test
  void smallNonLinearDataGetsTheNetwork() {
    Dataset<Row> df = SparkData.toDataFrame(spark, ToySets.circles(300, 0.5, 0.05, 2), 2);
    SparkpropClassificationModel m = new SparkpropClassifier().setSeed(3).fit(df);
    assertTrue(selection(m.engineModel()).startsWith("hiddenLayers auto: 100relu from"),
        selection(m.engineModel()));
    assertEquals(100, m.engineModel().network().spec().blocks().get(0).units());
  }

  @Test
  void anExplicitChoiceOrLargeDataSkipsCrossValidation() {
    Dataset<Row> df = SparkData.toDataFrame(spark, ToySets.circles(300, 0.5, 0.05, 2), 2);
    SparkpropClassificationModel m = new SparkpropClassifier().setSeed(3).setHiddenLayers("")
        .setMaxIter(5).setPatience(0).fit(df);
    assertEquals(null, selection(m.engineModel()));
    // From the validation split's threshold the network is taken without touching the data.
    SparkpropClassifier c = new SparkpropClassifier();
    org.sparkprop.train.TrainConfig network = Training.trainConfig(c, "100relu", "adam", 4, 3,
        "cross_entropy");
    AutoModel.Resolved r = AutoModel.resolve(c, network, org.sparkprop.train.AutoArchitecture.NETWORK_ROWS,
        4, null);
    assertEquals(network, r.config());
    assertTrue(r.how().startsWith("hiddenLayers auto: 100relu (5000 rows of 4 features;"), r.how());
  }
}
