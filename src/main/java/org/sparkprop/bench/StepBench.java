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
 *
 * <pre>
 *   adam_step_over_fwdbwd      = Adam step / forward+backward          (1.0: the update is free)
 *   threads2_over_threads1     = local trainer rows/s, 2 threads / 1 thread
 *   spark_per_core_over_engine = Spark rows/s per core / (128 rows / forward+backward)
 *   tanh_over_relu             = forward+backward with tanh / with ReLU
 * </pre>
 * Every figure is the median of several timed rounds after a warm-up.
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
    double relu = fwdBwdMs("784-256relu-128relu-10", data, out, "fwdbwd_relu");
    double tanh = fwdBwdMs("784-256tanh-128tanh-10", data, out, "fwdbwd_tanh");
    fwdBwdMs("784-256sigmoid-128sigmoid-10", data, out, "fwdbwd_sigmoid");
    double adam = 0;
    for (String opt : new String[] {"sgd", "momentum", "adam"}) {
      double ms = stepMs(opt, data, out);
      if (opt.equals("adam")) {
        adam = ms;
      }
    }
    double t1 = localRowsPerSecond(data, 1);
    double t2 = localRowsPerSecond(data, 2);
    out.put("local_rows_per_s_1thread", Math.round(t1));
    out.put("local_rows_per_s_2threads", Math.round(t2));
    double spark = sparkRowsPerSecondPerCore(data, out);
    out.put("spark_local2_rows_per_s_per_core", Math.round(spark));
    double engine = BATCH / relu * 1e3;
    out.put("engine_rows_per_s", Math.round(engine));
    System.out.println(out);
    ObjectNode last = JSON.createObjectNode();
    last.put("bench", "step");
    last.put("adam_step_over_fwdbwd", r(adam / relu));
    last.put("threads2_over_threads1", r(t2 / t1));
    last.put("spark_per_core_over_engine", r(spark / engine));
    last.put("tanh_over_relu", r(tanh / relu));
    System.out.println(last);
  }

  /** Forward + backward of one 128-row batch, gradient zeroed first, as the engine bench. */
  static double fwdBwdMs(String spec, Block data, ObjectNode out, String key) {
    GradientWorker w = new GradientWorker(Network.of(spec, "cross_entropy"), BATCH);
    float[] params = w.network().initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = w.network().initState();
    int[] perm = identity(data.rows());
    Timed timed = new Timed(s -> {
      w.reset();
      int lo = (s * BATCH) % (data.rows() - BATCH);
      w.accumulate(data, perm, lo, lo + BATCH, params, state, s, null);
    });
    double ms = timed.medianMs();
    out.put(key + "_ms", r(ms));
    out.put(key + "_alloc_bytes_per_step", timed.allocPerStep);
    return ms;
  }

  /** A whole step: forward + backward, then the update rule with this optimizer's defaults. */
  static double stepMs(String optimizer, Block data, ObjectNode out) {
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
        .optimizer(optimizer).learningRate(optimizer.equals("adam") ? 1e-3 : 1e-2).batchSize(BATCH)
        .build();
    Network net = cfg.buildNetwork();
    GradientWorker w = new GradientWorker(net, BATCH);
    float[] params = net.initParams(org.sparkprop.nn.Init.HE, 1);
    float[] state = net.initState();
    OptimizerState os = cfg.buildOptimizer().init(net.paramCount());
    UpdateRule rule = new UpdateRule(cfg.buildOptimizer(), cfg.buildSchedule(1_000_000),
        cfg.buildPenalty(), cfg.clipNorm(), net.segments());
    int[] perm = identity(data.rows());
    long[] t = {0};
    Timed timed = new Timed(s -> {
      w.reset();
      int lo = (s * BATCH) % (data.rows() - BATCH);
      w.accumulate(data, perm, lo, lo + BATCH, params, state, s, null);
      rule.step(params, w.grad(), w.sums().lossSum, w.sums().weightSum, os, ++t[0], 1.0, true);
    });
    double ms = timed.medianMs();
    out.put(optimizer + "_step_ms", r(ms));
    out.put(optimizer + "_alloc_bytes_per_step", timed.allocPerStep);
    return ms;
  }

  /** The local trainer's training rows per second of wall time (3 epochs after a warm-up run). */
  static double localRowsPerSecond(Block data, int threads) {
    TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
        .optimizer("adam").learningRate(1e-3).batchSize(BATCH).epochs(1).threads(threads).build();
    new LocalTrainer(cfg).fit(data, null);
    double[] rate = new double[3];
    for (int i = 0; i < rate.length; i++) {
      TrainingResult res = new LocalTrainer(cfg.toBuilder().epochs(2).build()).fit(data, null);
      rate[i] = 2.0 * data.rows() / res.trainSeconds();
    }
    return EngineBench.median(rate);
  }

  /** Spark local[2], default local-SGD mode, two replicas: training rows/s per core. */
  static double sparkRowsPerSecondPerCore(Block data, ObjectNode out) {
    SparkSession spark = BenchSession.start("local[2]", "step", null, 0);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      var rdd = SparkData.distribute(sc, data, 2).cache();
      rdd.count();
      TrainConfig cfg = TrainConfig.builder().network("784-256relu-128relu-10").loss("cross_entropy")
          .optimizer("adam").learningRate(1e-3).batchSize(BATCH).epochs(1).build();
      SparkTrainConfig dist = SparkTrainConfig.defaults().withMode(SyncMode.LOCAL_SGD);
      new DistributedTrainer(sc, cfg, dist).fit(rdd, null, false);
      double[] rate = new double[3];
      for (int i = 0; i < rate.length; i++) {
        DistributedTrainer t = new DistributedTrainer(sc, cfg.toBuilder().epochs(3).build(), dist);
        TrainingResult res = t.fit(rdd, null, false);
        rate[i] = 3.0 * data.rows() / res.trainSeconds() / 2;
        RunStats st = t.stats();
        out.put("spark_run" + i, String.format(java.util.Locale.ROOT,
            "train %.3f s, wall %.3f s, setup %.3f s, task compute %.3f s, driver %.3f s, %d jobs, H %d",
            res.trainSeconds(), st.wallSeconds, st.setupSeconds, st.taskComputeSeconds,
            st.driverSeconds, st.jobs, st.localSteps));
      }
      return EngineBench.median(rate);
    } finally {
      spark.stop();
    }
  }

  /** Runs a step body in timed rounds on this thread; median ms per step and bytes allocated. */
  static final class Timed {
    interface Body {
      void step(int s);
    }

    final double[] ms = new double[ROUNDS];
    long allocPerStep;

    Timed(Body body) {
      for (int s = 0; s < 300; s++) {
        body.step(s);
      }
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long alloc = 0;
      for (int round = 0; round < ROUNDS; round++) {
        long a0 = mx.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int s = 0; s < STEPS; s++) {
          body.step(s);
        }
        ms[round] = (System.nanoTime() - t0) / 1e6 / STEPS;
        alloc += mx.getCurrentThreadAllocatedBytes() - a0;
      }
      allocPerStep = alloc / ((long) ROUNDS * STEPS);
    }

    double medianMs() {
      return EngineBench.median(ms);
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
