package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;

/**
 * A long synchronous run keeps the driver's heap flat: every step broadcasts ~1 MB of weights, so
 * leaking broadcasts or lineage would add ~1 MB per step. (scripts/bench.sh longrun runs 10,000
 * steps and prints the figure; this is the CI-sized version.)
 */
class LongRunTest {

  static long usedAfterGc(MemoryMXBean mx) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mx.getHeapMemoryUsage().getUsed();
  }

  @Test
  void driverHeapDoesNotGrowWithSteps() {
    JavaSparkContext sc = SparkTestSession.jsc();
    Block data = ToySets.blobs(512, 10, 784, 1.0, 3);
    JavaRDD<Block> blocks = SparkData.distribute(sc, data, 2);
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-10").learningRate(1e-3)
        .batchSize(32).epochs(80).build();                  // 2 × 32 rows: 8 steps per epoch, 640 steps
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    long[] at = new long[2];
    TrainingListener probe = new TrainingListener() {
      @Override
      public void onEpoch(org.sparkprop.train.EpochMetrics m) {
        if (m.epoch() == 20) {
          at[0] = usedAfterGc(mx);
        } else if (m.epoch() == 80) {
          at[1] = usedAfterGc(mx);
        }
      }
    };
    // Two replicas: 512 rows would otherwise train on the driver, with no job or broadcast at all.
    DistributedTrainer t = new DistributedTrainer(sc, cfg, SparkTrainConfig.defaults()
        .withMode(SyncMode.SYNC).withReplicas(2)).listener(probe);
    t.fit(blocks, null, false);
    assertTrue(t.stats().jobs >= 640, "a Spark job (and a broadcast) per step: " + t.stats().jobs);
    long growth = at[1] - at[0];
    System.out.printf("driver heap after step 160: %.1f MB, after step 640: %.1f MB, growth %.1f MB%n",
        at[0] / 1e6, at[1] / 1e6, growth / 1e6);
    // 480 steps × ~0.8 MB per leaked snapshot would be ~400 MB; Spark's own per-job bookkeeping
    // (retained job/stage info) is a few MB.
    assertTrue(growth < 60e6, "driver heap grew by " + growth / 1e6 + " MB over 480 steps");
  }
}
