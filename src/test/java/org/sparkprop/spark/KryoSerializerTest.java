package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.ml.SparkpropClassificationModel;
import org.sparkprop.ml.SparkpropClassifier;
import org.sparkprop.testing.IdxFiles;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.Model;
import org.sparkprop.train.TrainConfig;

/**
 * With {@code spark.serializer = KryoSerializer} (common in clusters' spark-defaults.conf) every
 * path that moves Sparkprop's objects through Spark's data serializer (data blocks, task results,
 * broadcasts) works and gives exactly what Spark's default Java serializer gives: each trainer
 * mode, evaluation, prediction, IDX files read by the executors and the Spark ML estimator with
 * its defaults.
 */
class KryoSerializerTest {

  @TempDir
  static java.nio.file.Path dir;

  @AfterAll
  static void backToTheDefaultSession() {
    SparkTestSession.stop();
  }

  record Run(SparkTrainConfig dist, int partitions) {}

  static TrainConfig mlp() {
    return TrainConfig.builder().network("2-16tanh-16tanh-2").init("xavier").learningRate(0.01)
        .batchSize(32).epochs(2).build();
  }

  /** Every path, each giving the floats it produced. */
  static Map<String, float[]> everyPath(SparkSession spark) throws java.io.IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Block moons = ToySets.twoMoons(600, 0.2, 3);
    Block val = ToySets.twoMoons(200, 0.2, 4);
    Map<String, float[]> out = new LinkedHashMap<>();
    Map<String, Run> runs = new LinkedHashMap<>();
    runs.put("sync", new Run(SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withReplicas(2), 2));
    runs.put("local_sgd", new Run(SparkTrainConfig.defaults().withLocalSteps(5).withReplicas(2), 2));
    runs.put("allreduce", new Run(SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE)
        .withReplicas(2), 2));
    // 4 partitions as 2 replicas: the blocks are shuffled to their replica (ReplicaOrder).
    runs.put("allreduce, regrouped", new Run(SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE)
        .withReplicas(2), 4));
    // 20 partials summed in partition order: grouped through a shuffle (FixedTree).
    runs.put("sync, ordered sum of 20", new Run(SparkTrainConfig.defaults().withMode(SyncMode.SYNC)
        .withReplicas(20).withOrderedAggregation(true), 20));
    Model last = null;
    for (Map.Entry<String, Run> r : runs.entrySet()) {
      DistributedTrainer t = new DistributedTrainer(sc, mlp(), r.getValue().dist());
      int parts = r.getValue().partitions();
      var res = t.fit(SparkData.distribute(sc, moons, parts), SparkData.distribute(sc, val, 2), false);
      assertEquals(r.getKey().split(",")[0], t.stats().mode, "the mode asked for");
      assertEquals(r.getValue().dist().replicas(), t.stats().replicas, r.getKey());
      out.put(r.getKey(), res.model().params());
      float[] valLoss = new float[res.history().size()];
      for (int e = 0; e < valLoss.length; e++) {
        valLoss[e] = (float) res.history().get(e).validationLoss();
      }
      out.put(r.getKey() + ", validation loss", valLoss);
      last = res.model();
    }
    TrainConfig lbfgs = TrainConfig.builder().network("2-2").loss("cross_entropy").init("zeros")
        .optimizer("lbfgs").epochs(5).penalty("l2(1e-3)").build();
    DistributedTrainer t = new DistributedTrainer(sc, lbfgs,
        SparkTrainConfig.defaults().toBuilder().replicas(2).build());
    out.put("lbfgs", t.fit(SparkData.distribute(sc, moons, 2), null, false).model().params());
    assertEquals("lbfgs", t.stats().mode);
    List<Row> predicted = DistributedPredict.of(spark, last, SparkData.distribute(sc, val, 2),
        "probabilities", 1).collectAsList();
    out.put("predict", floats(predicted, r -> r.getAs(r.length() - 1)));
    out.put("idx on executors", Blocks.concat(IdxOnExecutors.read(sc, dir.toUri().toString(), true, 3)
        .collect()).x());
    var frame = SparkData.toDataFrame(spark, moons, 2);
    SparkpropClassificationModel fitted = new SparkpropClassifier().setSeed(5).fit(frame);
    out.put("estimator", floats(fitted.transform(frame).select("prediction").collectAsList(),
        r -> r.getDouble(0)));
    return out;
  }

  static float[] floats(List<Row> rows, Function<Row, Object> value) {
    float[] f = new float[rows.size()];
    for (int i = 0; i < f.length; i++) {
      Object v = value.apply(rows.get(i));
      f[i] = v instanceof org.apache.spark.ml.linalg.Vector vec ? (float) vec.apply(0)
          : ((Number) v).floatValue();
    }
    return f;
  }

  @Test
  void kryoGivesWhatJavaSerializationGives() throws java.io.IOException {
    IdxFiles.writeTrain(dir, 10, 3, 10, true, false);
    Map<String, float[]> java = everyPath(SparkTestSession.get("local[2]",
        SparkTestSession.JAVA_SERIALIZER));
    Map<String, float[]> kryo = everyPath(SparkTestSession.get("local[2]",
        SparkTestSession.KRYO_SERIALIZER));
    assertEquals(java.keySet(), kryo.keySet());
    for (String path : java.keySet()) {
      assertArrayEquals(java.get(path), kryo.get(path), path);
    }
  }
}
