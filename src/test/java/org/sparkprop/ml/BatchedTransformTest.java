package org.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
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
import org.sparkprop.spark.SparkData;
import org.sparkprop.testing.SparkTestSession;

/**
 * transform in blocks of rows gives the per-row methods' values: predictRaw, raw2probability,
 * raw2prediction (with and without thresholds), across block boundaries, for dense and sparse
 * features, binary and multiclass, and the regressor's predict.
 */
class BatchedTransformTest {

  static SparkSession spark;
  static Dataset<Row> moons;
  static Dataset<Row> blobs;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    // 700 rows in 2 partitions: blocks of 256, 94 in each.
    moons = SparkData.toDataFrame(spark, ToySets.twoMoons(700, 0.2, 1), 2).cache();
    blobs = SparkData.toDataFrame(spark, ToySets.blobs(700, 4, 3, 1.0, 2), 2).cache();
  }

  private static SparkpropClassifier quick() {
    return new SparkpropClassifier().setHiddenLayers("8tanh").setMaxIter(3).setPatience(0)
        .setInit("xavier").setSeed(4);
  }

  /** Every row's columns against the model's per-row methods. */
  private static void samePerRow(SparkpropClassificationModel m, Dataset<Row> data) {
    List<Row> rows = m.transform(data).collectAsList();
    assertEquals(data.count(), rows.size());
    for (Row r : rows) {
      Vector f = r.getAs("features");
      Vector raw = m.predictRaw(f);
      assertArrayEquals(raw.toArray(), ((Vector) r.getAs("rawPrediction")).toArray(), 1e-5);
      Vector prob = m.raw2probability(raw);
      assertArrayEquals(prob.toArray(), ((Vector) r.getAs("probability")).toArray(), 1e-6);
      assertEquals(m.raw2prediction(raw), (double) r.getAs("prediction"), 0.0);
    }
  }

  @Test
  void binaryAndMulticlassColumnsEqualThePerRowMethods() {
    samePerRow(quick().fit(moons), moons);
    SparkpropClassificationModel multi = quick().fit(blobs);
    samePerRow(multi, blobs);
    multi.setThresholds(new double[] {0.1, 0.5, 0.2, 0.9});
    samePerRow(multi, blobs);
    Dataset<Row> out = multi.transform(blobs);
    Attribute a = Attribute.fromStructField(out.schema().apply("prediction"));
    assertTrue(a.isNominal(), "the prediction column keeps Spark's nominal metadata");
    assertEquals(4, AttributeGroup.fromStructField(out.schema().apply("rawPrediction")).size());
  }

  @Test
  void disabledColumnsAreLeftOutAndSparseRowsScoreAsDense() {
    SparkpropClassificationModel m = quick().fit(blobs);
    Dataset<Row> onlyPrediction = m.copy(new org.apache.spark.ml.param.ParamMap())
        .setRawPredictionCol("").setProbabilityCol("").transform(blobs);
    assertEquals(List.of("features", "label", "prediction"), List.of(onlyPrediction.columns()));
    StructType schema = new StructType().add("features", new org.apache.spark.ml.linalg.VectorUDT())
        .add("label", DataTypes.DoubleType);
    List<Row> sparse = new ArrayList<>();
    List<Row> dense = new ArrayList<>();
    for (Row r : blobs.limit(300).collectAsList()) {
      Vector v = r.getAs("features");
      sparse.add(RowFactory.create(v.toSparse(), r.get(1)));
      dense.add(RowFactory.create(Vectors.dense(v.toArray()), r.get(1)));
    }
    List<Row> a = m.transform(spark.createDataFrame(sparse, schema)).select("probability").collectAsList();
    List<Row> b = m.transform(spark.createDataFrame(dense, schema)).select("probability").collectAsList();
    assertEquals(b, a);
    List<Row> wide = List.of(RowFactory.create(Vectors.dense(1, 2, 3, 4), 0.0));
    Exception e = assertThrows(Exception.class,
        () -> m.transform(spark.createDataFrame(wide, schema)).collect());
    assertTrue(String.valueOf(SparkData.unwrap(e).getMessage()).contains("expects 3 features"),
        SparkData.unwrap(e).getMessage());
    // A NaN feature fails the transform instead of scoring a number that looks right.
    List<Row> nan = List.of(RowFactory.create(Vectors.dense(0.5, Double.NaN, 1), 0.0));
    Exception n = assertThrows(Exception.class,
        () -> m.transform(spark.createDataFrame(nan, schema)).collect());
    assertTrue(String.valueOf(SparkData.unwrap(n).getMessage()).contains("must be finite"),
        SparkData.unwrap(n).getMessage());
    List<Row> none = new ArrayList<>();
    none.add(RowFactory.create(null, 0.0));
    Exception z = assertThrows(Exception.class,
        () -> m.transform(spark.createDataFrame(none, schema)).collect());
    assertTrue(String.valueOf(SparkData.unwrap(z).getMessage()).contains("no features vector"),
        SparkData.unwrap(z).getMessage());
  }

  @Test
  void oneVsOneVotesEqualAPerRowVote() {
    SparkpropOneVsOneModel ovo = new SparkpropOneVsOne().setClassifier(quick()).fit(blobs);
    List<SparkpropClassificationModel> pairs = ovo.models();
    int k = ovo.numClasses();
    for (Row r : ovo.transform(blobs).collectAsList()) {
      Vector f = r.getAs("features");
      double[] votes = new double[k];
      double[] confidence = new double[k];
      int m = 0;
      for (int i = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++) {
          SparkpropClassificationModel pair = pairs.get(m++);
          Vector p = pair.raw2probability(pair.predictRaw(f));
          int winner = p.apply(1) > 0.5 ? j : i;
          votes[winner]++;
          confidence[winner] += Math.max(p.apply(0), p.apply(1));
        }
      }
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (votes[c] > votes[best] || votes[c] == votes[best] && confidence[c] > confidence[best]) {
          best = c;
        }
      }
      assertEquals(best, (double) r.getAs("prediction"), 0.0);
    }
  }

  @Test
  void regressorPredictionsEqualPredict() {
    Dataset<Row> reg = SparkData.toDataFrame(spark, ToySets.linear(600, 4, 0.1, 3).block(), 2);
    SparkpropRegressionModel m = new SparkpropRegressor().setHiddenLayers("8tanh").setMaxIter(3)
        .setPatience(0).setSeed(2).fit(reg);
    for (Row r : m.transform(reg).collectAsList()) {
      assertEquals(m.predict(r.getAs("features")), (double) r.getAs("prediction"), 1e-5);
    }
    refusesBadRows(m, 4);
  }

  @Test
  void oneVsOneRefusesBadRowsAsTheClassifierDoes() {
    refusesBadRows(new SparkpropOneVsOne().setClassifier(quick()).fit(blobs), 3);
  }

  /** A wrong width and a NaN feature fail the transform, naming the problem. */
  static void refusesBadRows(org.apache.spark.ml.Model<?> m, int width) {
    StructType schema = new StructType().add("features", new org.apache.spark.ml.linalg.VectorUDT())
        .add("label", DataTypes.DoubleType);
    double[] wide = new double[width + 1];
    double[] nan = new double[width];
    nan[0] = Double.NaN;
    for (double[] v : List.of(wide, nan)) {
      List<Row> rows = List.of(RowFactory.create(Vectors.dense(v), 0.0));
      Exception e = assertThrows(Exception.class,
          () -> m.transform(spark.createDataFrame(rows, schema)).collect());
      String msg = String.valueOf(SparkData.unwrap(e).getMessage());
      assertTrue(msg.contains(v == wide ? "expects " + width + " features" : "must be finite"), msg);
    }
  }
}
