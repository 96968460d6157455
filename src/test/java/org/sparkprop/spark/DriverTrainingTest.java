package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.nn.Network;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/** When small data trains on the driver: one replica's worth, or steps too cheap to split. */
class DriverTrainingTest {

  static final SparkTrainConfig AUTO = SparkTrainConfig.defaults();

  @Test
  void cheapStepsOfSmallDataTrainOnTheDriverUnlessSynchronisationIsAskedFor() {
    Network tiny = Network.of("9-100relu-7", "cross_entropy");       // 1.3 MFLOP per 128-row step
    Network fashion = Network.of("784-256relu-128relu-10", "cross_entropy");  // 180 MFLOP
    assertTrue(DriverTraining.stepFlops(tiny, 128) < DriverTraining.MIN_SPLIT_FLOPS);
    assertTrue(DriverTraining.stepFlops(fashion, 128) > DriverTraining.MIN_SPLIT_FLOPS);
    assertTrue(DriverTraining.applies(AUTO, 2, 46_000, tiny, 128, false));
    assertFalse(DriverTraining.applies(AUTO, 2, 46_000, fashion, 128, false),
        "steps worth splitting stay on the executors");
    assertTrue(DriverTraining.applies(AUTO, 1, 4_000, fashion, 128, false),
        "one replica's worth of small data, whatever the step");
    assertFalse(DriverTraining.applies(AUTO, 2, 2_000_000, tiny, 128, false),
        "data past the driver's bound stays on the executors");
    assertFalse(DriverTraining.applies(AUTO.withMode(SyncMode.ALLREDUCE), 2, 46_000, tiny, 128,
        false), "spark.mode set");
    assertFalse(DriverTraining.applies(AUTO.withLocalSteps(10), 2, 46_000, tiny, 128, false),
        "a local-SGD setting");
    assertFalse(DriverTraining.applies(AUTO.withReplicas(2), 2, 46_000, tiny, 128, false),
        "spark.replicas set");
    assertFalse(DriverTraining.applies(AUTO, 2, 46_000, tiny, 128, true), "a resumed run");
    assertTrue(DriverTraining.why(2, tiny, 128).contains("1.3 MFLOP"), DriverTraining.why(2, tiny, 128));
  }

  @Test
  void aTinyNetworkOnTwoReplicasWorthOfRowsTrainsLikeTheLocalTrainer() {
    JavaSparkContext sc = SparkTestSession.jsc();
    Block data = ToySets.twoMoons(30_000, 0.1, 5);
    TrainConfig c = TrainConfig.builder().network("2-16tanh-2").loss("cross_entropy")
        .learningRate(0.01).batchSize(128).epochs(2).patience(0).build();
    DistributedTrainer auto = new DistributedTrainer(sc, c, AUTO);
    TrainingResult r = auto.fit(SparkData.distribute(sc, data, 2), null, false);
    assertEquals(2, auto.stats().replicas, "the replica rule alone gives two");
    assertEquals("driver", auto.stats().mode);
    float[] local = new LocalTrainer(c.toBuilder().threads(1).build()).fit(List.of(data), null, null)
        .model().params();
    assertArrayEquals(local, r.model().params());
    DistributedTrainer asked = new DistributedTrainer(sc, c, AUTO.withMode(SyncMode.ALLREDUCE));
    asked.fit(SparkData.distribute(sc, data, 2), null, false);
    assertEquals("allreduce", asked.stats().mode);
  }
}
