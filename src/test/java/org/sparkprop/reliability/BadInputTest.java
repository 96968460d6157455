package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.ToySets;
import org.sparkprop.ml.SparkpropClassificationModel;
import org.sparkprop.ml.SparkpropClassifier;
import org.sparkprop.ml.SparkpropRegressor;
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;

/**
 * Bad input through the Spark path: each case gets a message that names the problem, raised before
 * any training step (nothing is trained on half-read data).
 */
class BadInputTest {

  static SparkSession spark;
  static final StructType SCHEMA = new StructType()
      .add("features", SQLDataTypes.VectorType(), true)
      .add("label", DataTypes.DoubleType, true);

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  /** 40 good rows of 3 features, then the given bad rows. */
  static Dataset<Row> frame(Row... bad) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(Vectors.dense(i % 3, i % 5, 1), (double) (i % 2)));
    }
    rows.addAll(List.of(bad));
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  /** Refused with a message containing one of the fragments (Spark's own label checks or ours). */
  static void assertRefused(Dataset<Row> df, String... fragments) {
    Exception e = assertThrows(Exception.class, () -> new SparkpropClassifier().setEpochs(1)
        .setBatchSize(8).fit(df));
    boolean found = false;
    for (String f : fragments) {
      found |= e.getMessage() != null && e.getMessage().contains(f);
    }
    assertTrue(found, "expected one of " + java.util.Arrays.toString(fragments) + " in: " + e.getMessage());
  }

  @Test
  void nonFiniteFeatures() {
    assertRefused(frame(RowFactory.create(Vectors.dense(1, Double.NaN, 0), 1.0)),
        "feature 1 = NaN; features must be finite");
    assertRefused(frame(RowFactory.create(Vectors.dense(Double.POSITIVE_INFINITY, 0, 0), 0.0)),
        "feature 0 = Infinity");
  }

  @Test
  void nullRows() {
    assertRefused(frame(RowFactory.create(null, 1.0)), "null features vector");
    assertRefused(frame(RowFactory.create(Vectors.dense(1, 2, 3), null)), "null label",
        "Labels MUST NOT be Null");
    Dataset<Row> reg = frame(RowFactory.create(Vectors.dense(1, 2, 3), null));
    Exception e = assertThrows(Exception.class, () -> new SparkpropRegressor().setEpochs(1).fit(reg));
    assertTrue(e.getMessage().contains("null label"), e.getMessage());
  }

  @Test
  void labelsOutOfRangeOrNotIntegers() {
    assertRefused(frame(RowFactory.create(Vectors.dense(1, 2, 3), 1.5)), "not an integer",
        "Labels MUST be Integers, but got 1.5");
    assertRefused(frame(RowFactory.create(Vectors.dense(1, 2, 3), -1.0)), "out of range",
        "Labels MUST be in [0");
    // Declared class count (label metadata) smaller than the labels: out of range.
    Dataset<Row> df = frame(RowFactory.create(Vectors.dense(1, 2, 3), 2.0));
    Exception e = assertThrows(Exception.class, () -> new SparkpropClassifier().setEpochs(1)
        .fit(df.withColumn("label", df.col("label").as("label",
            org.apache.spark.ml.attribute.NominalAttribute.defaultAttr().withName("label")
                .withNumValues(2).toMetadata()))));
    assertTrue(e.getMessage().contains("out of range for 2 classes")
        || e.getMessage().contains("label 2"), e.getMessage());
  }

  @Test
  void wrongOrVaryingVectorSizes() {
    assertRefused(frame(RowFactory.create(Vectors.dense(1, 2), 1.0)), "has 2 features, expected 3");
    assertRefused(frame(RowFactory.create(Vectors.sparse(4, new int[] {3}, new double[] {1}), 0.0)),
        "has 4 features, expected 3");
  }

  @Test
  void sparseRowsPackAsTheirDenseEqualsAndNonFiniteSparseValuesAreRefused() {
    List<Row> sparse = new ArrayList<>();
    List<Row> dense = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(4);
    for (int i = 0; i < 50; i++) {
      double[] v = new double[3];
      v[rnd.nextInt(3)] = rnd.nextGaussian();               // one non-zero of three
      dense.add(RowFactory.create(Vectors.dense(v), (double) (i % 2)));
      sparse.add(RowFactory.create(Vectors.dense(v).toSparse(), (double) (i % 2)));
    }
    org.sparkprop.data.Block a = SparkData.pack(spark.createDataFrame(sparse, SCHEMA), "features",
        "label", null, 1, 0).collect().get(0);
    org.sparkprop.data.Block b = SparkData.pack(spark.createDataFrame(dense, SCHEMA), "features",
        "label", null, 1, 0).collect().get(0);
    org.junit.jupiter.api.Assertions.assertArrayEquals(b.x(), a.x(), "sparse rows densify exactly");
    org.junit.jupiter.api.Assertions.assertArrayEquals(b.y(), a.y());
    assertRefused(frame(RowFactory.create(Vectors.sparse(3, new int[] {1}, new double[] {Double.NaN}), 0.0)),
        "feature 1 = NaN");
  }

  @Test
  void emptyPartitionsOfDataReadThroughSparkTrain() {
    // 8 partitions for 40 rows of which some are empty; the width is inferred per partition.
    Dataset<Row> sparse = frame().repartition(60);
    org.apache.spark.api.java.JavaRDD<org.sparkprop.data.Block> blocks =
        SparkData.pack(sparse, "features", "label", null, 0, 0);
    org.sparkprop.train.TrainingResult r = new org.sparkprop.spark.DistributedTrainer(
        SparkTestSession.jsc(), org.sparkprop.train.TrainConfig.builder().network("3-4tanh-2")
            .scaling("standard").batchSize(8).epochs(2).build(),
        org.sparkprop.spark.SparkTrainConfig.defaults().withLocalSteps(2).withReplicas(4))
        .fit(blocks, null, false);                       // 4 replicas: on the executors, not the driver
    assertTrue(r.steps() > 0);
  }

  @Test
  void emptyDataset() {
    Dataset<Row> empty = spark.createDataFrame(new ArrayList<Row>(), SCHEMA);
    Exception e = assertThrows(Exception.class, () -> new SparkpropClassifier().fit(empty));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    Exception r = assertThrows(Exception.class, () -> new SparkpropRegressor().fit(empty));
    assertTrue(r.getMessage().contains("empty"), r.getMessage());
  }

  @Test
  void aModelAppliedToDataOfTheWrongWidth() {
    Dataset<Row> moons = SparkData.toDataFrame(spark, ToySets.twoMoons(200, 0.1, 1), 2);
    SparkpropClassificationModel m = new SparkpropClassifier().setEpochs(1).setBatchSize(16).fit(moons);
    Exception e = assertThrows(Exception.class, () -> m.transform(frame()).collectAsList());
    Throwable t = e;
    StringBuilder messages = new StringBuilder();
    while (t != null) {
      messages.append(t.getMessage()).append(" | ");
      t = t.getCause();
    }
    assertTrue(messages.toString().contains("the model expects 2 features, but a row has 3"),
        messages.toString());
  }
}
