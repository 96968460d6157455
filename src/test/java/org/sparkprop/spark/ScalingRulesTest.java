package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkprop.optim.Schedule;
import org.sparkprop.train.TrainConfig;

/** The rules that keep replicas efficient as they grow: replicas, learning rate, local steps. */
class ScalingRulesTest {

  @Test
  void replicasFollowTheSlotsAndTheDataNotThePartitioning() {
    // 32 partitions on two cores: two replicas.
    assertEquals(2, Replicas.choose(0, 32, 2, 60_000, 128, 100).replicas());
    // One per partition when the cluster has the slots and the data the rows.
    assertEquals(8, Replicas.choose(0, 8, 32, 200_000, 128, 100).replicas());
    // Fashion-MNIST on 32 cores: 60,000 / (128 · 100) = 4 replicas of at least 100 steps per epoch.
    Replicas.Choice fm = Replicas.choose(0, 32, 32, 60_000, 128, 100);
    assertEquals(4, fm.replicas());
    assertTrue(fm.reason().contains("spark.minReplicaSteps"), fm.reason());
    // A 774-row set is never cut into 32 replicas.
    assertEquals(1, Replicas.choose(0, 32, 32, 774, 128, 100).replicas());
    // Full batch: the slots decide.
    assertEquals(4, Replicas.choose(0, 32, 4, 774, 0, 100).replicas());
    // Given: taken as it is, up to the partition count.
    assertEquals(16, Replicas.choose(16, 32, 2, 774, 128, 100).replicas());
    assertEquals(8, Replicas.choose(16, 8, 2, 774, 128, 100).replicas());
  }

  @Test
  void autoModeAllReducesFromTwoReplicas() {
    assertEquals(SyncMode.LOCAL_SGD, SyncMode.AUTO.resolve(1, 2, false, false));
    assertEquals(SyncMode.ALLREDUCE, SyncMode.AUTO.resolve(2, 2, false, false));
    assertEquals(SyncMode.ALLREDUCE, SyncMode.AUTO.resolve(3, 4, false, false));
    assertEquals(SyncMode.ALLREDUCE, SyncMode.AUTO.resolve(32, 32, false, false));
    // A barrier stage needs every replica at once and no dynamic allocation.
    assertEquals(SyncMode.LOCAL_SGD, SyncMode.AUTO.resolve(8, 2, false, false));
    assertEquals(SyncMode.LOCAL_SGD, SyncMode.AUTO.resolve(8, 8, true, false));
    // Local-SGD settings given: auto honours them.
    assertEquals(SyncMode.LOCAL_SGD, SyncMode.AUTO.resolve(2, 2, false, true));
    assertEquals(SyncMode.SYNC, SyncMode.SYNC.resolve(8, 8, false, true));
    assertEquals(SyncMode.AUTO, SparkTrainConfig.defaults().mode());
  }

  @Test
  void replicaRGetsContiguousPartitionsInOrder() {
    // ⌊r·P/R⌋: 32 partitions over 3 replicas start at 0, 10, 21 and end at 32.
    assertEquals(0, Replicas.firstPartition(0, 32, 3));
    assertEquals(10, Replicas.firstPartition(1, 32, 3));
    assertEquals(21, Replicas.firstPartition(2, 32, 3));
    assertEquals(32, Replicas.firstPartition(3, 32, 3));
    for (int p = 0; p < 32; p++) {
      int r = Replicas.replicaOf(p, 32, 3);
      assertTrue(Replicas.firstPartition(r, 32, 3) <= p && p < Replicas.firstPartition(r + 1, 32, 3));
    }
    assertEquals(4, Replicas.replicaOf(4, 5, 5));
    assertEquals(0, Replicas.replicaOf(6, 7, 1));
  }

  static TrainConfig cfg(String optimizer) {
    return TrainConfig.builder().optimizer(optimizer).learningRate(0.1).schedule("cosine")
        .batchSize(128).build();
  }

  @Test
  void synchronousStepsScaleTheRateLinearlyForSgdAndByTheSquareRootForAdam() {
    SparkTrainConfig sync = SparkTrainConfig.defaults().withMode(SyncMode.SYNC);
    LearningRateRule sgd = LearningRateRule.of(sync, cfg("momentum"), 8, 50, 1000);
    assertEquals("linear", sgd.scaling());
    assertEquals(8.0, sgd.factor(), 1e-12);                 // G = 8 · 128 against ref = 128
    assertEquals(50, sgd.warmupSteps());                    // one epoch
    LearningRateRule adam = LearningRateRule.of(sync, cfg("adam"), 8, 50, 1000);
    assertEquals("sqrt", adam.scaling());
    assertEquals(Math.sqrt(8), adam.factor(), 1e-12);
    // Warm-up at most a tenth of the run; a reference batch of 256.
    LearningRateRule ref = LearningRateRule.of(sync.withLrScaling("linear", 256), cfg("adam"), 4,
        500, 1000);
    assertEquals(2.0, ref.factor(), 1e-12);
    assertEquals(100, ref.warmupSteps());
    // Overridable: none, or an explicit warm-up.
    assertEquals(1.0, LearningRateRule.of(sync.withLrScaling("none", 0), cfg("sgd"), 8, 50, 1000)
        .factor());
    assertEquals(7, LearningRateRule.of(sync.toBuilder().warmupSteps(7).build(), cfg("sgd"), 8, 50,
        1000).warmupSteps());
    // Local SGD and one replica: no rule (every replica steps on batchSize rows).
    assertEquals(1.0, LearningRateRule.of(SparkTrainConfig.defaults(), cfg("sgd"), 8, 50, 1000)
        .factor());
    assertEquals(1.0, LearningRateRule.of(sync, cfg("sgd"), 1, 50, 1000).factor());
  }

  @Test
  void theRuleRampsTheUsersScheduleFromOneToKTimesIt() {
    SparkTrainConfig sync = SparkTrainConfig.defaults().withMode(SyncMode.SYNC);
    TrainConfig c = cfg("sgd");
    TrainConfig scaled = LearningRateRule.of(sync, c, 4, 10, 100).apply(c);
    Schedule base = c.buildSchedule(100);
    Schedule s = scaled.buildSchedule(100);
    // η(t) = cosine(t) · (1 + 3·min(1, (t + 1)/10))
    assertEquals(base.at(0) * 1.3, s.at(0), 1e-12);
    assertEquals(base.at(4) * 2.5, s.at(4), 1e-12);
    assertEquals(base.at(9) * 4, s.at(9), 1e-12);
    assertEquals(base.at(60) * 4, s.at(60), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Schedule.parse("ramp(0,10,constant)", 0.1, 10));
    assertThrows(IllegalArgumentException.class, () -> Schedule.parse("ramp(2,0,constant)", 0.1, 10));
  }

  @Test
  void localStepsAreCappedAsReplicasGrowAndCalibrationCountsTaskWaves() {
    SparkTrainConfig dist = SparkTrainConfig.defaults();
    // At least ⌈R/2⌉ rounds per epoch of S = 60 steps.
    assertEquals(60, new LocalStepsPolicy(dist, 60, 2, 2).accuracyBound());
    assertEquals(15, new LocalStepsPolicy(dist, 60, 8, 8).accuracyBound());
    assertEquals(1, new LocalStepsPolicy(dist, 10, 64, 64).accuracyBound());
    // 8 tasks of 1 s on 2 slots run in 4 waves: 4 s of compute, not 1 s, in a 4.2 s job.
    LocalStepsPolicy.JobTiming waves = new LocalStepsPolicy.JobTiming(4.2, 1.0, 8.0, 8, 15);
    assertEquals(4.0, waves.computeSeconds(2), 1e-12);
    assertEquals(0.2, waves.overheadSeconds(2), 1e-9);
    assertEquals(1.0, waves.computeSeconds(8), 1e-12);
    // 0.2 s of overhead against 4/15 s per step: H ≥ 0.2·0.9/(0.1·0.267) ≈ 6.75 → S/8 = 8 of 60,
    // below the accuracy bound of 15 for 8 replicas.
    assertEquals(8, new LocalStepsPolicy(dist, 60, 8, 2).choose(waves));
    // Overhead that wants a whole epoch is capped by the accuracy bound.
    LocalStepsPolicy.JobTiming slow = new LocalStepsPolicy.JobTiming(10, 1.0, 8.0, 8, 15);
    assertEquals(15, new LocalStepsPolicy(dist, 60, 8, 8).choose(slow));
  }
}
