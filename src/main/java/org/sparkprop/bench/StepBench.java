package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.RunStats;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.GradientWorker;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;
import org.sparkprop.train.UpdateRule;

/**
 * {@code scripts/bench.sh step}: where a training step's time goes, for 784-256-128-10 at batch
 * 128, measured in one run. On one thread: forward + backward alone (ReLU, tanh, sigmoid), and
 * whole steps with SGD, momentum and Adam (the gradient worker's gather, forward, backward and
 * the update rule, as the trainers run them); then the local trainer's rows/s on 1 and 2 threads
 * and Spark {@code local[2]}'s rows/s per core in local-SGD mode, on the same synthetic data.
 * Two figures put these in context: {@code fwdbwd_half_batch_two_cores_over_one} (half a batch's
 * gradients on each core at once against a whole batch on one: what two cores allow the threads
 * before any synchronisation), {@code replica_steps_two_cores_per_core_over_engine} (two
 * local-SGD replicas' 64-row Adam steps on two threads at once, per core over the engine: the
 * Spark figure's ceiling without Spark) and {@code spark_task_compute_per_core_over_engine} (the
 * tasks' own compute time instead of the fit's wall time: Spark's per-job cost left out).
 *
 * <pre>
 *   adam_step_over_fwdbwd      = Adam step / forward+backward          (1.0: the update is free)
 *   threads2_over_threads1     = local trainer rows/s, 2 threads / 1 thread
 *   spark_per_core_over_engine = Spark rows/s per core / (128 rows / forward+backward)
 *   tanh_over_relu             = forward+backward with tanh / with ReLU
 * </pre>
 * Every figure is a median over rounds after a warm-up, and every ratio the median of ratios
 * taken within a round (the single-thread bodies run interleaved, Spark runs between engine
 * measurements), since this VM's speed drifts by 10–30% within a run.
 */
public final class StepBench {

  static final int BATCH = 128;
  static final int ROUNDS = 7;
  static final int STEPS = 200;
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Block data = ToySets.blobs(60_000, 10, 784, 4.0, 11);         // Fashion-MNIST's shape
    ObjectNode out = JSON.createObjectNode();
    out.put("bench", "step");
    // Single-thread figures in interleaved rounds (this VM's speed drifts over a run).
    String[] names = {"fwdbwd_relu", "fwdbwd_tanh", "fwdbwd_sigmoid", "sgd_step", "momentum_step",
        "adam_step"};
    Timed.Body[] bodies = {fwdBwd("784-256relu-128relu-10", data),
        fwdBwd("784-256tanh-128tanh-10", data), fwdBwd("784-256sigmoid-128sigmoid-10", data),
        step("sgd", data), step("momentum", data), step("adam", data)};
    Timed timed = new Timed(bodies);
    for (int k = 0; k < names.length; k++) {
      out.put(names[k] + "_ms", r(timed.medianMs(k)));
      out.put(names[k] + "_alloc_bytes_per_step", timed.allocPerStep[k]);
    }
    double relu = timed.medianMs(0);
    // The local trainer on 1 and 2 threads, alternating.
    double[] t1 = new double[3];
    double[] t2 = new double[3];
    localRowsPerSecond(data, 1);                                   // warm-up
    for (int i = 0; i < 3; i++) {
      t1[i] = localRowsPerSecond(data, 1);
      t2[i] = localRowsPerSecond(data, 2);
    }
    out.put("local_rows_per_s_1thread", Math.round(EngineBench.median(t1)));
    out.put("local_rows_per_s_2threads", Math.round(EngineBench.median(t2)));
    out.put("fwdbwd_half_batch_two_cores_over_one", r(halfBatchTwoCoresOverOne(data)));
    out.put("replica_steps_two_cores_per_core_over_engine", r(replicaStepsTwoCoresOverEngine(data)));
    double[] sparkOverEngine = sparkPerCoreOverEngine(data, bodies[0], out);
    out.put("engine_rows_per_s", Math.round(BATCH / relu * 1e3));
    System.out.println(out);
    ObjectNode last = JSON.createObjectNode();
    last.put("bench", "step");
    last.put("adam_step_over_fwdbwd", r(timed.medianRatio(5, 0)));
    last.put("threads2_over_threads1", r(EngineBench.median(ratios(t2, t1))));
    last.put("spark_per_core_over_engine", r(EngineBench.median(sparkOverEngine)));
    last.put("tanh_over_relu", r(timed.medianRatio(1, 0)));
    System.out.println(last);
  }

  static double[] ratios(double[] a, double[] b) {
    double[] q = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      q[i] = a[i] / b[i];
    }
    return q;
  }

  /** Forward + backward of one 128-row batch through the gradient worker (gather included). */
  static Timed.Body fwdBwd(String spec, Block data) {
    GradientWorker w = new GradientWorker(Network.of(spec, "cross_entropy"), BATCH);
    float[] params = w.network().initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = w.network().initState();
    int[] perm = identity(data.rows());
    return s -> forwardBackward(w, data, perm, BATCH, params, state, s);
  }

  /** Pass {@code s}: forward + backward of the {@code rows} rows at offset s·rows (wrapping). */
  static void forwardBackward(GradientWorker w, Block data, int[] perm, int rows, float[] params,
                              float[] state, int s) {
    w.reset();
    int lo = (s * rows) % (data.rows() - rows);
    w.accumulate(data, perm, lo, lo + rows, params, state, s, null);
  }

  /** A whole step: forward + backward, then the update rule with this optimizer's defaults. */
  static Timed.Body step(String optimizer, Block data) {
    return step(optimizer, data, BATCH, true, identity(data.rows()));
  }

  /**
   * {@link #step(String, Block)} on mini-batches of {@code rows} rows taken in {@code order};
   * {@code checkWeights} false as a local-SGD replica runs it (its weights are checked once, at
   * the end of its round).
   */
  static Timed.Body step(String optimizer, Block data, int rows, boolean checkWeights,
                         int[] order) {
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
        .optimizer(optimizer).learningRate(optimizer.equals("adam") ? 1e-3 : 1e-2).batchSize(BATCH)
        .build();
    Network net = cfg.buildNetwork();
    GradientWorker w = new GradientWorker(net, rows);
    float[] params = net.initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = net.initState();
    OptimizerState os = cfg.buildOptimizer().init(net.paramCount());
    UpdateRule rule = new UpdateRule(cfg.buildOptimizer(), cfg.buildSchedule(1_000_000),
        cfg.buildPenalty(), cfg.clipNorm(), net.segments());
    int[] perm = order;
    long[] t = {0};
    return s -> {
      forwardBackward(w, data, perm, rows, params, state, s);
      rule.step(params, w.grad(), w.sums().lossSum, w.sums().weightSum, os, ++t[0], 0, 1.0,
          checkWeights);
    };
  }

  /**
   * The local trainer's training rows per second of wall time (2 epochs, median of 3, after a
   * warm-up run), every row trained on: no validation split, whose evaluation is not training.
   */
  static double localRowsPerSecond(Block data, int threads) {
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
        .optimizer("adam").learningRate(1e-3).batchSize(BATCH).epochs(1).threads(threads)
        .validationFraction(0).build();
    new LocalTrainer(cfg).fit(data, null);
    double[] rate = new double[3];
    for (int i = 0; i < rate.length; i++) {
      TrainingResult res = new LocalTrainer(cfg.toBuilder().epochs(2).build()).fit(data, null);
      rate[i] = 2.0 * data.rows() / res.trainSeconds();
    }
    return EngineBench.median(rate);
  }

  /**
   * Spark local[2], local-SGD mode, two replicas: each run's training rows/s per core over the
   * engine's rate (128 rows / forward+backward), measured on this thread just before and after it.
   */
  static double[] sparkPerCoreOverEngine(Block data, Timed.Body engine, ObjectNode out) {
    SparkSession spark = BenchSession.start("local[2]", "step", null, 0);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      var rdd = SparkData.distribute(sc, data, 2).cache();
      rdd.count();
      TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
          .optimizer("adam").learningRate(1e-3).batchSize(BATCH).epochs(1).validationFraction(0)
          .build();
      SparkTrainConfig dist = SparkTrainConfig.defaults().withMode(SyncMode.LOCAL_SGD);
      new DistributedTrainer(sc, cfg, dist).fit(rdd, null, false);
      double[] ratio = new double[3];
      double[] perCore = new double[3];
      double[] computePerCore = new double[3];
      for (int i = 0; i < ratio.length; i++) {
        double before = new Timed(engine).medianMs(0);
        DistributedTrainer t = new DistributedTrainer(sc, cfg.toBuilder().epochs(3).build(), dist);
        TrainingResult res = t.fit(rdd, null, false);
        double after = new Timed(engine).medianMs(0);
        double engineRowsPerSecond = BATCH / ((before + after) / 2) * 1e3;
        perCore[i] = 3.0 * data.rows() / res.trainSeconds() / 2;
        RunStats st = t.stats();
        computePerCore[i] = 3.0 * data.rows() / st.taskComputeSeconds / 2 / engineRowsPerSecond;
        ratio[i] = perCore[i] / engineRowsPerSecond;
        out.put("spark_run" + i, String.format(java.util.Locale.ROOT,
            "train %.3f s, setup %.3f s, task compute %.3f s, driver %.3f s, %d jobs, H %d, "
                + "engine %.3f/%.3f ms", res.trainSeconds(), st.setupSeconds,
            st.taskComputeSeconds, st.driverSeconds, st.jobs, st.localSteps, before, after));
      }
      out.put("spark_local2_rows_per_s_per_core", Math.round(EngineBench.median(perCore)));
      out.put("spark_task_compute_per_core_over_engine", r(EngineBench.median(computePerCore)));
      return ratio;
    } finally {
      spark.stop();
    }
  }

  /**
   * The ceiling of threads2_over_threads1 on this machine for the gradients alone: 128 rows'
   * forward + backward on one thread, against 64 rows on each of two threads at once (what the
   * local trainer's threads do with a 128-row batch, without its reduction, update or barriers).
   * Median over rounds of (128-row time) / (slower thread's 64-row time).
   */
  static double halfBatchTwoCoresOverOne(Block data) throws InterruptedException {
    Network net = Network.of("784-256relu-128relu-10", "cross_entropy");
    float[] params = net.initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = net.initState();
    GradientWorker[] w = {new GradientWorker(net, BATCH), new GradientWorker(net, BATCH)};
    int[] perm = identity(data.rows());
    double[] ratio = new double[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {                 // round -1: warm-up
      double whole = fwdBwdMs(w[0], data, perm, BATCH, params, state);
      double[] half = new double[2];
      Thread other = new Thread(() -> half[1] = fwdBwdMs(w[1], data, perm, BATCH / 2, params, state));
      other.start();
      half[0] = fwdBwdMs(w[0], data, perm, BATCH / 2, params, state);
      other.join();
      if (round >= 0) {
        ratio[round] = whole / Math.max(half[0], half[1]);
      }
    }
    return EngineBench.median(ratio);
  }

  /**
   * The ceiling of spark_per_core_over_engine on this machine without Spark: two local-SGD
   * replicas' steps (64 shuffled rows each, forward + backward and an Adam update of their own
   * copy of the weights) on two threads at once. Median over rounds of the slower replica's
   * rows/s over the engine's rate (128 rows / forward+backward on one thread, measured just
   * before).
   */
  static double replicaStepsTwoCoresOverEngine(Block data) throws InterruptedException {
    Network net = Network.of("784-256relu-128relu-10", "cross_entropy");
    GradientWorker engine = new GradientWorker(net, BATCH);
    float[] params = net.initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = net.initState();
    int[] perm = identity(data.rows());
    int[] shuffled = identity(data.rows());                        // as tasks take their rows
    EpochPlan.permutation(1, 0, 0, true, shuffled, shuffled.length);
    Timed.Body[] replica = {step("adam", data, BATCH / 2, false, shuffled),
        step("adam", data, BATCH / 2, false, shuffled)};
    int steps = 2 * STEPS;
    double[] ratio = new double[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {                 // round -1: warm-up
      double engineMs = fwdBwdMs(engine, data, perm, BATCH, params, state);
      double[] ms = new double[2];
      Thread other = new Thread(() -> ms[1] = stepsMs(replica[1], steps));
      other.start();
      ms[0] = stepsMs(replica[0], steps);
      other.join();
      if (round >= 0) {
        ratio[round] = (BATCH / 2 / Math.max(ms[0], ms[1])) / (BATCH / engineMs);
      }
    }
    return EngineBench.median(ratio);
  }

  /** Milliseconds per step of {@code body} over {@code steps} steps. */
  static double stepsMs(Timed.Body body, int steps) {
    long t0 = System.nanoTime();
    for (int s = 0; s < steps; s++) {
      body.step(s);
    }
    return (System.nanoTime() - t0) / 1e6 / steps;
  }

  /** Milliseconds per forward + backward of {@code rows} rows, over 2·STEPS·128/rows passes. */
  static double fwdBwdMs(GradientWorker w, Block data, int[] perm, int rows, float[] params,
                         float[] state) {
    int passes = 2 * STEPS * BATCH / rows;
    long t0 = System.nanoTime();
    for (int s = 0; s < passes; s++) {
      forwardBackward(w, data, perm, rows, params, state, s);
    }
    return (System.nanoTime() - t0) / 1e6 / passes;
  }

  /** Runs step bodies in interleaved timed rounds on this thread, after a warm-up of each. */
  static final class Timed {
    interface Body {
      void step(int s);
    }

    final double[][] ms;
    final long[] allocPerStep;

    Timed(Body... bodies) {
      ms = new double[bodies.length][ROUNDS];
      allocPerStep = new long[bodies.length];
      for (Body body : bodies) {
        for (int s = 0; s < 300; s++) {
          body.step(s);
        }
      }
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < bodies.length; k++) {
          long a0 = mx.getCurrentThreadAllocatedBytes();
          long t0 = System.nanoTime();
          for (int s = 0; s < STEPS; s++) {
            bodies[k].step(s);
          }
          ms[k][round] = (System.nanoTime() - t0) / 1e6 / STEPS;
          allocPerStep[k] += mx.getCurrentThreadAllocatedBytes() - a0;
        }
      }
      for (int k = 0; k < bodies.length; k++) {
        allocPerStep[k] /= (long) ROUNDS * STEPS;
      }
    }

    double medianMs(int k) {
      return EngineBench.median(ms[k]);
    }

    /** Median over rounds of body a's time over body b's in the same round. */
    double medianRatio(int a, int b) {
      return EngineBench.median(ratios(ms[a], ms[b]));
    }
  }

  static int[] identity(int n) {
    int[] p = new int[n];
    EpochPlan.permutation(0, 0, 0, false, p, n);
    return p;
  }

  static double r(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
