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
 * A long synchronous run keeps the driver's heap flat: 3,000 steps, each a Spark job that
 * broadcasts the weights (~66 KB for 20-512relu-10). Leaking the broadcasts, their lineage or a
 * snapshot per step would add at least ~66 KB per step, ~120 MB over the 1,800 steps measured;
 * the bound is 4 KB per step (a smaller leak passes). The first measurement is taken after
 * Spark's status store has reached its retained-jobs cap (1,000 jobs), so its bookkeeping no
 * longer grows.
 * (scripts/bench.sh longrun runs 10,000 steps of the 235k-parameter MLP and prints the figure.)
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
    Block data = ToySets.blobs(512, 10, 20, 1.0, 3);
    JavaRDD<Block> blocks = SparkData.distribute(sc, data, 2);
    TrainConfig cfg = TrainConfig.builder().network("20-512relu-10").learningRate(1e-3)
        .batchSize(32).epochs(375).build();         // 2 × 32 rows: 8 steps per epoch, 3,000 steps
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    long[] at = new long[2];
    TrainingListener probe = new TrainingListener() {
      @Override
      public void onEpoch(org.sparkprop.train.EpochMetrics m) {
        if (m.epoch() == 150) {
          at[0] = usedAfterGc(mx);
        } else if (m.epoch() == 375) {
          at[1] = usedAfterGc(mx);
        }
      }
    };
    // Two replicas: 512 rows would otherwise train on the driver, with no job or broadcast at all.
    DistributedTrainer t = new DistributedTrainer(sc, cfg, SparkTrainConfig.defaults()
        .withMode(SyncMode.SYNC).withReplicas(2)).listener(probe);
    t.fit(blocks, null, false);
    assertTrue(t.stats().jobs >= 3000, "a Spark job (and a broadcast) per step: " + t.stats().jobs);
    assertTrue(at[0] > 0 && at[1] > 0, "both heap readings were taken");
    long growth = at[1] - at[0];
    int measured = (375 - 150) * 8;
    System.out.printf("driver heap after step 1200: %.1f MB, after step 3000: %.1f MB, %.0f bytes per step%n",
        at[0] / 1e6, at[1] / 1e6, (double) growth / measured);
    assertTrue(growth < 4096L * measured, "driver heap grew by " + growth / 1e6 + " MB over "
        + measured + " steps (" + growth / measured + " bytes per step; the bound is 4096)");
  }
}
