package org.sparkprop.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.TrainConfig;

/**
 * Task retry on local[2,3] (up to 3 attempts per task): a gradient task that fails once mid-training
 * is retried by Spark and the run ends with exactly the weights of an undisturbed run; a task that
 * keeps failing stops training with a clear error.
 */
class TaskRetryTest {

  /** Tasks run in this JVM in local mode, so a static flag sees the injected failure. */
  static final AtomicBoolean INJECTED = new AtomicBoolean();
  static JavaSparkContext sc;
  static Block data = ToySets.twoMoons(800, 0.2, 9);
  static TrainConfig config = TrainConfig.builder().network("2-16tanh-2").init("xavier")
      .learningRate(0.01).batchSize(32).epochs(2).build();

  @BeforeAll
  static void spark() {
    sc = JavaSparkContext.fromSparkContext(SparkTestSession.get("local[2,3]").sparkContext());
  }

  @AfterAll
  static void back() {
    SparkTestSession.stop();
  }

  @Test
  void aFailedGradientTaskIsRetriedAndChangesNothing() {
    // Two replicas, one per partition (800 rows alone would train as one replica).
    for (SparkTrainConfig dist : List.of(SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withReplicas(2),
        SparkTrainConfig.defaults().withLocalSteps(5).withReplicas(2))) {
      float[] clean = new DistributedTrainer(sc, config, dist)
          .fit(SparkData.distribute(sc, data, 2), null, false).model().params();
      INJECTED.set(false);
      float[] retried = new DistributedTrainer(sc, config, dist).taskHook((partition, step, attempt) -> {
        if (partition == 1 && step >= 20 && attempt == 0 && INJECTED.compareAndSet(false, true)) {
          throw new RuntimeException("injected task failure at step " + step);
        }
      }).fit(SparkData.distribute(sc, data, 2), null, false).model().params();
      assertTrue(INJECTED.get(), "the failure was injected (and the run finished, so it was retried)");
      assertArrayEquals(clean, retried, dist.mode() + ": identical weights after the retry");
    }
  }

  @Test
  void aTaskThatKeepsFailingStopsTrainingClearly() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new DistributedTrainer(sc, config, SparkTrainConfig.defaults().withMode(SyncMode.SYNC)
            .withReplicas(2))
            .taskHook((partition, step, attempt) -> {
              if (step == 7) {
                throw new RuntimeException("disk on fire");
              }
            }).fit(SparkData.distribute(sc, data, 2), null, false));
    assertTrue(e.getMessage().contains("step 7 failed even after Spark's retries"), e.getMessage());
    assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
    assertTrue(e.getMessage().contains("6 steps applied"), e.getMessage());
  }
}
