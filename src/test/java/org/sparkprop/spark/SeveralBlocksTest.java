package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.linalg.Rng;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * A partition made of several blocks trains exactly as the same rows in one block: in every mode,
 * when replicas regroup partitions, and with a block that carries no weights among weighted ones.
 */
class SeveralBlocksTest {

  static JavaSparkContext sc;

  @BeforeAll
  static void spark() {
    sc = SparkTestSession.jsc();
  }

  /** Two-moons rows with sample weights; the rows of each partition's middle third weigh 1. */
  static List<Block> weightedPartitions(int partitions) {
    Block moons = ToySets.twoMoons(960, 0.2, 7);
    List<Block> out = new ArrayList<>();
    for (Block p : Blocks.shards(moons, partitions)) {
      float[] w = new float[p.rows()];
      Rng rng = new Rng(11 + out.size());
      for (int r = 0; r < w.length; r++) {
        boolean middle = r >= p.rows() / 3 && r < 2L * p.rows() / 3;   // Blocks.shards' middle third
        w[r] = middle ? 1f : 0.5f + (float) rng.nextDouble();
      }
      out.add(new Block(p.rows(), p.features(), p.labelWidth(), p.x(), p.y(), w, "weighted"));
    }
    return out;
  }

  /** Each partition's block as three contiguous blocks, the middle one without weights. */
  static JavaRDD<Block> split(List<Block> partitions) {
    return sc.parallelize(partitions, partitions.size()).flatMap(b -> {
      List<Block> pieces = Blocks.shards(b, 3);
      Block mid = pieces.get(1);
      for (int r = 0; r < mid.rows(); r++) {
        if (mid.w()[r] != 1f) {
          throw new IllegalStateException("the middle piece must weigh 1");
        }
      }
      pieces.set(1, new Block(mid.rows(), mid.features(), mid.labelWidth(), mid.x(), mid.y(), null,
          "middle"));
      return pieces.iterator();
    });
  }

  @Test
  void severalBlocksPerPartitionTrainToTheWeightsOfOne() {
    TrainConfig c = TrainConfig.builder().network("2-16relu+bn+dropout(0.1)-16tanh-2")
        .init("xavier").learningRate(0.01).batchSize(32).epochs(2).build();
    SparkTrainConfig[] modes = {
        SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withReplicas(2).withOrderedAggregation(true),
        SparkTrainConfig.defaults().withLocalSteps(5).withReplicas(2),
        SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE).withReplicas(2)};
    for (int partitions : new int[] {2, 4}) {
      List<Block> data = weightedPartitions(partitions);
      assertEquals(3 * partitions, split(data).count(), "three blocks per partition");
      for (SparkTrainConfig mode : modes) {
        String what = mode.mode() + ", " + partitions + " partitions";
        TrainingResult one = new DistributedTrainer(sc, c, mode)
            .fit(sc.parallelize(data, partitions), null, false);
        TrainingResult three = new DistributedTrainer(sc, c, mode).fit(split(data), null, false);
        assertArrayEquals(one.model().params(), three.model().params(), what);
        assertArrayEquals(one.model().netState(), three.model().netState(), what + ": batch norm");
        assertEquals(one.history().get(1).trainLoss(), three.history().get(1).trainLoss(), 0, what);
      }
    }
  }

  @Test
  void aStreamWindowAsLargeAsThePartitionTrainsAsInMemory() {
    TrainConfig c = TrainConfig.builder().network("2-16relu+bn-16tanh-2").init("xavier")
        .learningRate(0.01).batchSize(32).epochs(2).build();
    List<Block> data = weightedPartitions(2);
    for (SparkTrainConfig mode : new SparkTrainConfig[] {
        SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE).withReplicas(2),
        SparkTrainConfig.defaults().withLocalSteps(5).withReplicas(2)}) {
      float[] inMemory = new DistributedTrainer(sc, c, mode).fit(split(data), null, false)
          .model().params();
      float[] streamed = new DistributedTrainer(sc, c,
          mode.toBuilder().streamWindowRows(10_000).build()).fit(split(data), null, false)
          .model().params();
      assertArrayEquals(inMemory, streamed, mode.mode() + ": one window is the in-memory order");
    }
  }

  @Test
  void smallStreamWindowsAreExactAcrossModesAndStagesThatStartMidEpoch() {
    TrainConfig c = TrainConfig.builder().network("2-16tanh-16tanh-2").init("xavier")
        .learningRate(0.01).batchSize(32).epochs(3).build();
    List<Block> data = weightedPartitions(4);                    // 240 rows, 3 blocks of 80
    SparkTrainConfig streamed = SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE)
        .withReplicas(2).toBuilder().streamWindowRows(50).build();      // windows across blocks
    TrainingResult byEpoch = new DistributedTrainer(sc, c, streamed).fit(split(data), null, false);
    float[] byFour = new DistributedTrainer(sc, c, streamed.toBuilder().stageSteps(4).build())
        .fit(split(data), null, false).model().params();
    float[] sync = new DistributedTrainer(sc, c, streamed.withMode(SyncMode.SYNC)
        .withOrderedAggregation(true)).fit(split(data), null, false).model().params();
    float[] inMemory = new DistributedTrainer(sc, c, streamed.toBuilder().streamWindowRows(0)
        .build()).fit(split(data), null, false).model().params();
    assertArrayEquals(byEpoch.model().params(), byFour, "stages of 4 steps skip ahead exactly");
    assertArrayEquals(byEpoch.model().params(), sync, "a job per step: the same steps");
    assertFalse(java.util.Arrays.equals(byEpoch.model().params(), inMemory),
        "windows shuffle otherwise than the whole partition");
    Block all = Blocks.concat(data);
    assertTrue(byEpoch.model().evaluate(all).accuracy() > 0.8,
        "accuracy " + byEpoch.model().evaluate(all).accuracy());
  }

  @Test
  void theRegroupingShuffleKeepsEveryReplicasBlocksInPartitionOrder() {
    List<Block> parts = new ArrayList<>();
    for (int p = 0; p < 7; p++) {
      float[] x = new float[4 * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = p * 10 + i / 3;                                     // row r of partition p: 10p + r
      }
      parts.add(p == 3 ? Block.empty(3, 1, false) : new Block(4, 3, 1, x, new float[4], null, "p"));
    }
    JavaRDD<Block> data = sc.parallelize(parts, 7).flatMap(b -> Blocks.shards(b, 2).iterator());
    List<List<Block>> shuffled = Replicas.group(data, 3, true).glom().collect();
    List<List<Block>> coalesced = Replicas.group(data, 3, false).glom().collect();
    for (int r = 0; r < 3; r++) {
      Block a = Blocks.concat(shuffled.get(r));
      Block b = Blocks.concat(coalesced.get(r));
      assertArrayEquals(b.x(), a.x(), "replica " + r);
      assertEquals(coalesced.get(r).size(), shuffled.get(r).size(), "the same blocks");
    }
    assertEquals(12, Blocks.concat(coalesced.get(2)).rows(), "replica 2: partitions 4, 5 and 6");
  }
}
