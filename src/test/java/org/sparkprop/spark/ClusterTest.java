package org.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.testing.LocalCluster;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.testing.TestData;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;
import org.sparkprop.train.TrainingResult;

/**
 * On a real multi-JVM cluster (local-cluster of 4 workers: executors are separate java processes),
 * at 4 partitions and 4 replicas: training agrees with local[2], and survives the loss of an
 * executor mid-training, in every mode, with the weights of an undisturbed run.
 */
class ClusterTest {

  static Block train;
  static Block test;
  static final TrainConfig CONFIG = TrainConfig.builder().network("784-64relu-10").init("he")
      .learningRate(1e-3).batchSize(128).epochs(3).build();
  // Four partitions and replicas, one per executor (12,000 rows alone would train as one replica).
  static final int PARTS = LocalCluster.EXECUTORS;
  static final SparkTrainConfig SYNC = SparkTrainConfig.defaults().withMode(SyncMode.SYNC).withReplicas(PARTS);
  static final SparkTrainConfig LOCAL_SGD = SparkTrainConfig.defaults().withMode(SyncMode.LOCAL_SGD)
      .withLocalSteps(10).withReplicas(PARTS);
  static float[] syncOnLocal2;
  static float[] localSgdOnLocal2;

  @BeforeAll
  static void referenceRunsOnLocal2() {
    int[] idx = Blocks.identity(60_000);
    train = Blocks.select(TestData.fashionTrain(), idx, 0, 12_000, "train subset");
    test = Blocks.select(TestData.fashionTest(), idx, 0, 2_000, "test subset");
    JavaSparkContext local = JavaSparkContext.fromSparkContext(SparkTestSession.get("local[2]").sparkContext());
    syncOnLocal2 = fit(local, SYNC, null).model().params();
    localSgdOnLocal2 = fit(local, LOCAL_SGD, null).model().params();
  }

  @AfterAll
  static void backToLocal() {
    SparkTestSession.stop();
  }

  static TrainingResult fit(JavaSparkContext sc, SparkTrainConfig dist, TrainingListener l) {
    DistributedTrainer t = new DistributedTrainer(sc, CONFIG, dist);
    if (l != null) {
      t.listener(l);
    }
    return t.fit(SparkData.distribute(sc, train, PARTS), null, false);
  }

  @Test
  void aMultiJvmClusterTrainsTheSameWeightsAsLocal2AndSurvivesAnExecutorKill() throws Exception {
    JavaSparkContext sc = LocalCluster.start();
    awaitExecutors(sc, PARTS);
    List<Long> executors = LocalCluster.executorPids(sc);
    long driver = ProcessHandle.current().pid();
    assertEquals(PARTS, executors.size(), "four executor JVMs: " + executors);
    assertFalse(executors.contains(driver), "tasks run outside the driver JVM");

    DistributedTrainer census = new DistributedTrainer(sc, CONFIG, SYNC);
    TrainingResult sync = census.fit(SparkData.distribute(sc, train, PARTS), null, false);
    assertArrayEquals(syncOnLocal2, sync.model().params(), "synchronous: same weights as local[2]");
    // The executors reported their BLAS (both JVMs load this machine's OpenBLAS, as the driver).
    BlasCensus blas = census.stats().blas;
    assertTrue(blas.byExecutor().size() >= 2, "one entry per executor holding data: " + blas);
    assertFalse(blas.byExecutor().containsKey("driver"), "reported by the executors: " + blas);
    assertFalse(blas.mismatch(), blas.toString());
    double accuracy = sync.model().evaluate(test).accuracy();
    assertTrue(accuracy > 0.80, "test accuracy " + accuracy);
    TrainingResult local = fit(sc, LOCAL_SGD, null);
    assertArrayEquals(localSgdOnLocal2, local.model().params(), "local SGD: same weights as local[2]");

    // Kill one executor JVM while a job is in flight, in each mode.
    for (SparkTrainConfig dist : List.of(SYNC, LOCAL_SGD)) {
      List<Long> before = LocalCluster.executorPids(sc);
      long victim = before.get(0);
      AtomicBoolean killed = new AtomicBoolean();
      AtomicLong killedAtStep = new AtomicLong();
      TrainingListener killer = new TrainingListener() {
        @Override
        public void onProgress(int epoch, int done, int perEpoch) {
          if (epoch == 2 && !killed.getAndSet(true)) {
            killedAtStep.set((long) (epoch - 1) * perEpoch + done);
            Thread t = new Thread(() -> {
              sleep(30);                                   // the next job is running by now
              ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            });
            t.start();
          }
        }
      };
      FaultListener faults = new FaultListener();
      sc.sc().addSparkListener(faults);
      TrainingResult disturbed;
      try {
        disturbed = fit(sc, dist, killer);
      } finally {
        sc.sc().removeSparkListener(faults);
      }
      assertTrue(killed.get());
      for (int i = 0; i < 100 && faults.removedExecutors.get() == 0; i++) {
        sleep(100);                                     // listener events arrive asynchronously
      }
      assertTrue(faults.removedExecutors.get() >= 1, "Spark saw the executor go");
      assertTrue(faults.failedTasks.get() >= 1, "the task it ran failed (and was recomputed)");
      if (dist == SYNC) {
        for (int i = 0; i < 50 && faults.succeededStepJobs.get() < sync.steps(); i++) {
          sleep(100);
        }
        assertEquals(sync.steps(), faults.succeededStepJobs.get(),
            "Spark's own events count one succeeded job per applied update");
      }
      assertFalse(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false),
          "executor " + victim + " was killed at step " + killedAtStep.get());
      TrainingResult undisturbed = dist == SYNC ? sync : local;
      assertEquals(undisturbed.steps(), disturbed.steps(), "no step lost or applied twice");
      assertEquals(undisturbed.history().size(), disturbed.history().size());
      double a = undisturbed.model().evaluate(test).accuracy();
      double b = disturbed.model().evaluate(test).accuracy();
      assertEquals(a, b, 0.005, "test accuracy within 0.5 points");
      // Tasks are deterministic functions of (snapshot, seed, step, partition): the retried work
      // computed exactly what the lost one would have.
      assertArrayEquals(undisturbed.model().params(), disturbed.model().params());
      awaitExecutors(sc, PARTS);
      List<Long> after = LocalCluster.executorPids(sc);
      assertFalse(after.contains(victim), "the cluster replaced the lost executor: " + after);
    }
  }

  /** Sees what Spark did about a lost executor: failed tasks, removed executors, stage retries. */
  static final class FaultListener extends org.apache.spark.scheduler.SparkListener {
    final java.util.concurrent.atomic.AtomicInteger failedTasks = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger removedExecutors = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger retriedStages = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
      if (!(e.reason() instanceof org.apache.spark.Success$)) {
        failedTasks.incrementAndGet();
      }
    }

    /** Synchronous steps whose job succeeded: one applied update each, counted by Spark's events. */
    final java.util.concurrent.atomic.AtomicInteger succeededStepJobs = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.Map<Integer, String> descriptions = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
      descriptions.put(e.jobId(), e.properties().getProperty("spark.job.description", ""));
    }

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd e) {
      if (e.jobResult() instanceof org.apache.spark.scheduler.JobSucceeded$
          && descriptions.getOrDefault(e.jobId(), "").startsWith("sparkprop step ")) {
        succeededStepJobs.incrementAndGet();
      }
    }

    @Override
    public void onExecutorRemoved(org.apache.spark.scheduler.SparkListenerExecutorRemoved e) {
      removedExecutors.incrementAndGet();
    }

    @Override
    public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted e) {
      if (e.stageInfo().attemptNumber() > 0) {
        retriedStages.incrementAndGet();
      }
    }
  }

  @Test
  void anExecutorLostInAnAllreduceStageRetriesTheStageToTheSameWeights() throws Exception {
    JavaSparkContext sc = LocalCluster.start();
    awaitExecutors(sc, PARTS);
    SparkTrainConfig allreduce = SparkTrainConfig.defaults().withMode(SyncMode.ALLREDUCE)
        .withReplicas(PARTS);
    TrainingResult undisturbed = fit(sc, allreduce, null);
    FaultListener faults = new FaultListener();
    sc.sc().addSparkListener(faults);
    List<Long> before = LocalCluster.executorPids(sc);
    // Rank 1's executor JVM dies in the middle of epoch 2's stage, at its first attempt.
    long victimStep = 35;                              // 23 steps of 4 × 128 rows per epoch
    DistributedTrainer t = new DistributedTrainer(sc, CONFIG, allreduce).taskHook((rank, step, attempt) -> {
      if (rank == 1 && step == victimStep && attempt == 0) {
        Runtime.getRuntime().halt(137);
      }
    });
    TrainingResult disturbed;
    try {
      disturbed = t.fit(SparkData.distribute(sc, train, PARTS), null, false);
    } finally {
      sc.sc().removeSparkListener(faults);
    }
    for (int i = 0; i < 100 && faults.retriedStages.get() == 0; i++) {
      sleep(100);                                       // listener events arrive asynchronously
    }
    assertTrue(faults.failedTasks.get() >= 1, "a task failed");
    assertTrue(faults.removedExecutors.get() >= 1, "an executor was lost");
    assertTrue(faults.retriedStages.get() >= 1, "the barrier stage ran again");
    assertFalse(LocalCluster.executorPids(sc).containsAll(before), "a new executor replaced the lost one");
    assertEquals(undisturbed.steps(), disturbed.steps());
    assertArrayEquals(undisturbed.model().params(), disturbed.model().params(),
        "the retried stage computed exactly the undisturbed weights");
    awaitExecutors(sc, PARTS);
  }

  /** Waits (up to 60 s) until the cluster has {@code n} executors again. */
  static void awaitExecutors(JavaSparkContext sc, int n) {
    for (int i = 0; i < 600 && LocalCluster.executorPids(sc).size() < n; i++) {
      sleep(100);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
