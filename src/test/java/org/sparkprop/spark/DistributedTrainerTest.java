package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.Model;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

class DistributedTrainerTest {

  static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void spark() {
    sc = SparkTestSession.jsc();
  }

  static TrainConfig.Builder mlp() {
    return TrainConfig.builder().network("2-16tanh-16tanh-2").init("xavier").learningRate(0.01)
        .batchSize(32).epochs(3);
  }

  /**
   * Synchronous steps of two replicas (one per partition; the data here is too small for the
   * automatic choice to take two) without the learning-rate rule: the local trainer's steps.
   */
  static SparkTrainConfig sync() {
    return SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withLrScaling("none", 0)
        .withReplicas(2);
  }

  /** Local SGD of two replicas with H steps and plain model averaging. */
  static SparkTrainConfig averaging(int h) {
    return SparkTrainConfig.defaults().withLocalSteps(h).withOuter("average", 1.0, 0.9)
        .withReplicas(2);
  }

  static JavaRDD<Block> rdd(List<Block> shards) {
    return sc.parallelize(shards, shards.size());
  }

  static void assertClose(float[] expected, float[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), "param " + i);
    }
  }

  @Test
  void synchronousModeMatchesTheLocalTrainerOnTheSameGlobalBatches() {
    List<Block> shards = Blocks.shards(ToySets.twoMoons(600, 0.2, 1), 2);
    TrainConfig c = mlp().network("2-16relu+dropout(0.2)-16tanh-2").build();
    // Two replicas of 32 rows each: the local trainer's global batch of 64 on the same shards.
    TrainingResult local = new LocalTrainer(c.toBuilder().batchSize(64).build()).fit(shards, null, null);
    TrainingResult spark = new DistributedTrainer(sc, c, sync()).fit(rdd(shards), null, false);
    assertEquals(local.steps(), spark.steps());
    assertClose(local.model().params(), spark.model().params(), 1e-4);
    assertEquals(local.history().get(2).trainLoss(), spark.history().get(2).trainLoss(), 1e-4);
  }

  @Test
  void localSgdWithOneStepIsSynchronousSgd() {
    List<Block> shards = Blocks.shards(ToySets.twoMoons(400, 0.2, 2), 2);
    TrainConfig c = mlp().optimizer("sgd").learningRate(0.1).build();
    TrainingResult syncRun = new DistributedTrainer(sc, c, sync()).fit(rdd(shards), null, false);
    TrainingResult h1 = new DistributedTrainer(sc, c, averaging(1)).fit(rdd(shards), null, false);
    assertClose(syncRun.model().params(), h1.model().params(), 1e-4);
  }

  @Test
  void sameSeedDataAndPartitioningGiveTheSameWeights() {
    List<Block> shards = Blocks.shards(ToySets.twoMoons(400, 0.2, 3), 2);
    TrainConfig c = mlp().build();
    // Two replicas: 400 rows alone would train on the driver, where determinism is trivial.
    SparkTrainConfig local = SparkTrainConfig.defaults().withLocalSteps(5).withReplicas(2);
    float[] a = new DistributedTrainer(sc, c, local).fit(rdd(shards), null, false).model().params();
    float[] b = new DistributedTrainer(sc, c, local).fit(rdd(shards), null, false).model().params();
    assertArrayEquals(a, b);
    float[] s1 = new DistributedTrainer(sc, c, sync()).fit(rdd(shards), null, false).model().params();
    float[] s2 = new DistributedTrainer(sc, c, sync()).fit(rdd(shards), null, false).model().params();
    assertArrayEquals(s1, s2);
  }

  @Test
  void localSgdLearnsAndChoosesItsPeriodFromTheMeasuredOverhead() {
    Block data = ToySets.twoMoons(2000, 0.1, 4);
    TrainConfig c = mlp().epochs(8).build();
    // Two replicas asked for: by the small-data rule these 2,000 rows would train on the driver.
    DistributedTrainer t = new DistributedTrainer(sc, c, SparkTrainConfig.defaults().toBuilder()
        .replicas(2).build().withMode(SyncMode.LOCAL_SGD));
    TrainingResult r = t.fit(SparkData.distribute(sc, data, 2), null, false);
    assertTrue(r.model().evaluate(data).accuracy() > 0.97, "accuracy " + r.model().evaluate(data).accuracy());
    assertTrue(t.stats().localSteps >= 1 && t.stats().localSteps <= 2000 / 32 + 1,
        "H = " + t.stats().localSteps);
    assertTrue(t.stats().jobOverheadMs > 0);
    assertTrue(t.stats().outsideComputeFraction() >= 0 && t.stats().outsideComputeFraction() <= 1);
  }

  @Test
  void thirtyTwoPartitionsOnTwoCoresTrainAsTwoReplicasAndSmallDataAsOne() {
    Block data = ToySets.twoMoons(4000, 0.1, 7);
    TrainConfig c = mlp().epochs(6).build();
    SparkTrainConfig dist = SparkTrainConfig.defaults().withLocalSteps(25).toBuilder()
        .minReplicaSteps(1).build();
    // Contiguous partitions grouped in order: 32 partitions as 2 replicas hold the rows of 2.
    DistributedTrainer p32 = new DistributedTrainer(sc, c, dist);
    float[] w32 = p32.fit(SparkData.distribute(sc, data, 32), null, false).model().params();
    float[] w2 = new DistributedTrainer(sc, c, dist).fit(SparkData.distribute(sc, data, 2), null, false)
        .model().params();
    assertEquals(2, p32.stats().replicas);
    assertEquals(32, p32.stats().partitions);
    assertArrayEquals(w2, w32);
    // With the default small-data rule, 4,000 rows at 32 per step are one replica's work.
    DistributedTrainer auto = new DistributedTrainer(sc, c, SparkTrainConfig.defaults());
    TrainingResult r = auto.fit(SparkData.distribute(sc, data, 32), null, false);
    assertEquals(1, auto.stats().replicas, auto.stats().replicaReason);
    assertTrue(r.model().evaluate(data).accuracy() > 0.97, "accuracy " + r.model().evaluate(data).accuracy());
    // One replica of small data trains on the driver: the local trainer's steps on the same rows.
    assertEquals("driver", auto.stats().mode);
    float[] local = new LocalTrainer(c.toBuilder().threads(1).build()).fit(List.of(data), null, null)
        .model().params();
    assertArrayEquals(local, r.model().params());
  }

  @Test
  void lbfgsOnSparkMatchesTheLocalTrainersLbfgs() {
    // Softmax regression (convex) on 3 blobs, 12 iterations each: one Spark job per evaluation,
    // the same objective as the local trainer's, summed in another order (float tolerance).
    Block data = ToySets.blobs(3000, 3, 4, 1.0, 9);
    TrainConfig c = TrainConfig.builder().network("4-3").loss("cross_entropy").init("zeros")
        .optimizer("lbfgs").epochs(12).penalty("l2(1e-3)").build();
    SparkTrainConfig onExecutors = SparkTrainConfig.defaults().toBuilder().replicas(2).build();
    DistributedTrainer t = new DistributedTrainer(sc, c, onExecutors);
    TrainingResult spark = t.fit(SparkData.distribute(sc, data, 3), null, false);
    assertEquals("lbfgs", t.stats().mode);
    TrainingResult local = new LocalTrainer(c).fit(List.of(data), null, null);
    assertEquals(local.steps(), spark.steps(), "the same iterations");
    float[] a = local.model().params();
    float[] b = spark.model().params();
    double norm = 0;
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      norm += a[i] * a[i];
      diff += (a[i] - b[i]) * (a[i] - b[i]);
    }
    assertTrue(Math.sqrt(diff) <= 1e-3 * Math.sqrt(norm), "relative difference "
        + Math.sqrt(diff / norm));
    assertTrue(spark.model().evaluate(data).accuracy() > 0.9);
    // Small data with automatic replicas trains on the driver, the same solver.
    DistributedTrainer auto = new DistributedTrainer(sc, c, SparkTrainConfig.defaults());
    assertArrayEquals(new LocalTrainer(c.toBuilder().threads(1).build()).fit(List.of(data), null, null)
        .model().params(), auto.fit(SparkData.distribute(sc, data, 3), null, false).model().params());
    assertEquals("driver", auto.stats().mode);
  }

  @Test
  void emptyAndHeavilySkewedPartitionsTrainCorrectly() {
    Block data = ToySets.twoMoons(500, 0.2, 5);
    int[] idx = Blocks.identity(500);
    List<Block> skewed = new ArrayList<>();
    skewed.add(Block.empty(2, 1, false));
    skewed.add(Blocks.select(data, idx, 0, 7, "tiny"));
    skewed.add(Block.empty(2, 1, false));
    skewed.add(Blocks.select(data, idx, 7, 500, "big"));
    TrainConfig c = mlp().build();
    // Four replicas forced (local[2] would group the four partitions into two): global batch 4 x 32.
    TrainingResult local = new LocalTrainer(c.toBuilder().batchSize(128).build()).fit(skewed, null, null);
    TrainingResult spark = new DistributedTrainer(sc, c,
        sync().withOrderedAggregation(true).withReplicas(4)).fit(rdd(skewed), null, false);
    assertClose(local.model().params(), spark.model().params(), 1e-4);
    // Automatic replicas on two cores: partitions 0-1 and 2-3 concatenated, in order.
    List<Block> grouped = List.of(Blocks.concat(skewed.subList(0, 2)), Blocks.concat(skewed.subList(2, 4)));
    TrainingResult localGrouped = new LocalTrainer(c.toBuilder().batchSize(64).build())
        .fit(grouped, null, null);
    TrainingResult sparkGrouped = new DistributedTrainer(sc, c, sync().withOrderedAggregation(true)
        .toBuilder().replicas(0).minReplicaSteps(1).build()).fit(rdd(skewed), null, false);
    assertClose(localGrouped.model().params(), sparkGrouped.model().params(), 1e-4);
    TrainingResult avg = new DistributedTrainer(sc, c, SparkTrainConfig.defaults().withLocalSteps(4)
        .withReplicas(4)).fit(rdd(skewed), null, false);
    assertTrue(avg.model().evaluate(data).accuracy() > 0.85);
  }

  @Test
  void resumingFromACheckpointEndsWithTheSameWeights() {
    List<Block> shards = Blocks.shards(ToySets.twoMoons(640, 0.2, 6), 2);
    for (SparkTrainConfig mode : List.of(sync(), SparkTrainConfig.defaults().withLocalSteps(3),
        sync().withMode(SyncMode.ALLREDUCE))) {
      TrainConfig c4 = mlp().epochs(4).build();
      float[] straight = new DistributedTrainer(sc, c4, mode).fit(rdd(shards), null, false)
          .model().params();
      String ck = dir.resolve("ck-" + mode.mode()).toUri().toString();
      SparkTrainConfig withCk = mode.withCheckpoints(ck, 4, false);
      assertThrows(IllegalStateException.class, () -> new DistributedTrainer(sc, c4, withCk)
          .listener(new org.sparkprop.train.TrainingListener() {
            @Override
            public void onEpoch(org.sparkprop.train.EpochMetrics m) {
              if (m.epoch() == 2) {
                throw new IllegalStateException("simulated crash after epoch 2");
              }
            }
          }).fit(rdd(shards), null, false));
      TrainingResult resumed = new DistributedTrainer(sc, c4, withCk).fit(rdd(shards), null, true);
      assertArrayEquals(straight, resumed.model().params(), "mode " + mode.mode());
      assertEquals(4, resumed.history().size());
    }
  }

  @Test
  void divergenceStopsWithTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
    Block reg = ToySets.linear(400, 2, 0.1, 1).block();
    TrainConfig blowUp = TrainConfig.builder().network("2-1").loss("squared").optimizer("sgd")
        .learningRate(50).batchSize(20).epochs(20).build();
    String ck = dir.resolve("div").toUri().toString();
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> new DistributedTrainer(sc, blowUp, sync().withCheckpoints(ck, 1, false))
            .fit(SparkData.distribute(sc, reg, 2), null, false));
    assertTrue(e.getMessage().contains("step " + e.step()));
    org.sparkprop.train.Checkpoints cks = new org.sparkprop.train.Checkpoints(
        new HadoopFileStore(ck, sc.hadoopConfiguration()), 2);
    long last = cks.steps().get(cks.steps().size() - 1);
    assertTrue(last < e.step(), "last checkpoint " + last + " precedes the divergent step " + e.step());
    TrainingResult skipped = new DistributedTrainer(sc, blowUp.toBuilder().onDivergence("skip").build(),
        sync()).fit(SparkData.distribute(sc, reg, 2), null, false);
    assertTrue(skipped.skippedSteps() > 0);
  }

  /**
   * Issue 12: in local SGD, an outer step that made the averaged weights non-finite threw even with
   * onDivergence = skip. Now the round is skipped and the weights stay those before it.
   */
  @Test
  void aNonFiniteOuterStepIsSkippedWhenAsked() {
    Block data = ToySets.twoMoons(400, 0.1, 3);
    TrainConfig cfg = mlp().optimizer("sgd").learningRate(0.1).epochs(2).build();
    SparkTrainConfig huge = SparkTrainConfig.defaults().withLocalSteps(2)
        .withOuter("nesterov", 1e300, 0.9).withReplicas(2);     // (w̄ − w)·1e300 overflows
    assertThrows(DivergenceException.class, () -> new DistributedTrainer(sc, cfg, huge)
        .fit(SparkData.distribute(sc, data, 2), null, false));
    TrainingResult skipped = new DistributedTrainer(sc, cfg.toBuilder().onDivergence("skip").build(),
        huge).fit(SparkData.distribute(sc, data, 2), null, false);
    assertTrue(skipped.skippedSteps() > 0, "skipped " + skipped.skippedSteps());
    for (float w : skipped.model().params()) {
      assertTrue(Float.isFinite(w));
    }
  }

  /**
   * Issue 12: the Spark-read evaluation checked neither the width nor the labels, so a wrong file
   * gave a loss and an accuracy. Now it fails as training does, naming both widths or the row.
   */
  @Test
  void evaluationRefusesDataOfAnotherWidthOrWithBadLabels() {
    TrainConfig cfg = mlp().epochs(1).build();
    Model m = new DistributedTrainer(sc, cfg, averaging(4))
        .fit(SparkData.distribute(sc, ToySets.twoMoons(200, 0.1, 4), 2), null, false).model();
    Block wide = new Block(4, 3, 1, new float[12], new float[4], null, "wide");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DistributedTrainer.evaluate(sc, m, SparkData.distribute(sc, wide, 2), cfg));
    assertTrue(e.getMessage().contains("3 features") && e.getMessage().contains("expects 2"),
        e.getMessage());
    Block badLabel = new Block(2, 2, 1, new float[4], new float[] {1, 7}, null, "labels");
    e = assertThrows(IllegalArgumentException.class,
        () -> DistributedTrainer.evaluate(sc, m, SparkData.distribute(sc, badLabel, 1), cfg));
    assertTrue(e.getMessage().contains("label 7 is out of range for 2 classes"), e.getMessage());
    BatchSums ok = DistributedTrainer.evaluate(sc, m,
        SparkData.distribute(sc, ToySets.twoMoons(50, 0.1, 5), 2), cfg);
    assertEquals(50, ok.rows);
  }

  /** Issue 14: the last job description Sparkprop set stayed on the caller's context. */
  @Test
  void fitLeavesTheCallersJobDescriptionAsItWas() {
    sc.setJobDescription("the user's own");
    try {
      new DistributedTrainer(sc, mlp().epochs(1).build(), averaging(4))
          .fit(SparkData.distribute(sc, ToySets.twoMoons(200, 0.1, 6), 2), null, false);
      assertEquals("the user's own", sc.getLocalProperty("spark.job.description"));
    } finally {
      sc.setJobDescription(null);
    }
    new DistributedTrainer(sc, mlp().epochs(1).build(), averaging(4))
        .fit(SparkData.distribute(sc, ToySets.twoMoons(200, 0.1, 6), 2), null, false);
    assertEquals(null, sc.getLocalProperty("spark.job.description"));
  }
}
