package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.ToySets;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/** spark.mode = allreduce on local[2]: the steps of sync mode, without a Spark job each. */
class AllReduceTest {

  static JavaSparkContext sc;

  @BeforeAll
  static void spark() {
    sc = SparkTestSession.jsc();
  }

  static TrainConfig.Builder mlp() {
    return TrainConfig.builder().network("2-16relu+bn+dropout(0.1)-16tanh-2").init("xavier")
        .learningRate(0.01).batchSize(32).epochs(3);
  }

  static SparkTrainConfig allreduce() {
    return SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE).withReplicas(2);
  }

  @Test
  void allreduceComputesBitwiseTheWeightsOfOrderedSynchronousSteps() {
    Block data = ToySets.twoMoons(600, 0.2, 1);
    TrainConfig c = mlp().build();
    SparkTrainConfig ordered = allreduce().withMode(SyncMode.SYNC).withOrderedAggregation(true);
    for (int partitions : new int[] {2, 8}) {
      TrainingResult sync = new DistributedTrainer(sc, c, ordered)
          .fit(SparkData.distribute(sc, data, partitions), null, false);
      DistributedTrainer t = new DistributedTrainer(sc, c, allreduce());
      TrainingResult all = t.fit(SparkData.distribute(sc, data, partitions), null, false);
      assertEquals(sync.steps(), all.steps());
      assertArrayEquals(sync.model().params(), all.model().params(), partitions + " partitions");
      assertArrayEquals(sync.model().netState(), all.model().netState(), "batch-norm state");
      assertEquals(sync.history().get(2).trainLoss(), all.history().get(2).trainLoss(), 1e-9);
      assertEquals(3, t.stats().jobs, "one stage per epoch");
      assertTrue(t.stats().collectiveBytes > 0);
    }
  }

  @Test
  void allreduceMatchesTheLocalTrainerOnTheSameGlobalBatchesAndStagesChangeNothing() {
    List<Block> shards = Blocks.shards(ToySets.twoMoons(600, 0.2, 2), 2);
    TrainConfig c = mlp().network("2-16tanh-16tanh-2").build();
    SparkTrainConfig noRule = allreduce().withLrScaling("none", 0);
    TrainingResult local = new LocalTrainer(c.toBuilder().batchSize(64).build()).fit(shards, null, null);
    float[] byEpoch = new DistributedTrainer(sc, c, noRule)
        .fit(sc.parallelize(shards, 2), null, false).model().params();
    DistributedTrainer staged = new DistributedTrainer(sc, c, noRule.toBuilder().stageSteps(4).build());
    float[] byFour = staged.fit(sc.parallelize(shards, 2), null, false).model().params();
    float[] again = new DistributedTrainer(sc, c, noRule)
        .fit(sc.parallelize(shards, 2), null, false).model().params();
    DistributedTrainerTest.assertClose(local.model().params(), byEpoch, 1e-4);
    assertArrayEquals(byEpoch, byFour, "stages of 4 steps: the same weights");
    assertArrayEquals(byEpoch, again, "run to run: the same weights");
    assertTrue(staged.stats().jobs > 3);
  }

  @Test
  void postLocalSgdRunsItsFirstEpochsAsAllReducedSteps() {
    Block data = ToySets.twoMoons(600, 0.2, 4);
    TrainConfig c = mlp().network("2-16tanh-16tanh-2").epochs(2).build();
    float[] all = new DistributedTrainer(sc, c, allreduce().withLrScaling("none", 0))
        .fit(SparkData.distribute(sc, data, 4), null, false).model().params();
    SparkTrainConfig postLocal = SparkTrainConfig.defaults().withMode(SyncMode.LOCAL_SGD)
        .withReplicas(2).toBuilder().syncEpochs(2).build();
    float[] first = new DistributedTrainer(sc, c, postLocal)
        .fit(SparkData.distribute(sc, data, 4), null, false).model().params();
    assertArrayEquals(all, first, "two synchronous epochs: the weights of allreduce");
    DistributedTrainer t = new DistributedTrainer(sc, c.toBuilder().epochs(4).build(), postLocal);
    TrainingResult r = t.fit(SparkData.distribute(sc, data, 4), null, false);
    assertEquals(4, r.history().size());
    assertTrue(t.stats().localSteps > 1, "then local rounds of H = " + t.stats().localSteps);
    assertTrue(r.model().evaluate(data).accuracy() > 0.85, "accuracy " + r.model().evaluate(data).accuracy());
  }

  @Test
  void refusesWhatABarrierStageCannotRun() {
    IllegalArgumentException slots = assertThrows(IllegalArgumentException.class,
        () -> new DistributedTrainer(sc, mlp().build(), allreduce().withReplicas(4))
            .fit(SparkData.distribute(sc, ToySets.twoMoons(400, 0.2, 3), 4), null, false));
    assertTrue(slots.getMessage().contains("4 replicas") && slots.getMessage().contains("2 task slot"),
        slots.getMessage());
    IllegalArgumentException dyn = assertThrows(IllegalArgumentException.class,
        () -> DistributedTrainer.checkBarrierStage(new SparkConf()
            .set("spark.dynamicAllocation.enabled", "true"), 2, 2));
    assertTrue(dyn.getMessage().contains("spark.dynamicAllocation.enabled=false"), dyn.getMessage());
  }
}
