package org.sparkprop.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.sparkprop.data.Block;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.GradientWorker;
import org.sparkprop.train.UpdateRule;

/**
 * The functions Spark runs on each partition: the thin adapter between a partition's cached
 * {@link Block} and the engine. Every input comes from the broadcast snapshot and the round plan,
 * and every random stream from (seed, step, partition), so a retried or re-run task computes
 * exactly the same result.
 */
final class Tasks {

  private Tasks() {}

  /** The partition's block, or null for an empty partition. */
  private static Block blockOf(Iterator<Block> it) {
    Block b = it.hasNext() ? it.next() : null;
    if (it.hasNext()) {
      throw new IllegalStateException("a training partition must hold exactly one block");
    }
    return b == null || b.rows() == 0 ? null : b;
  }

  private static Iterator<Partial> one(Partial p) {
    return List.of(p).iterator();
  }

  /** Synchronous step: Σ w·∂L/∂θ over this partition's rows of the global mini-batch. */
  static final class SyncStep implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    private final RoundPlan plan;
    private final TaskHook hook;

    SyncStep(Broadcast<Snapshot> snapshot, RoundPlan plan, TaskHook hook) {
      this.snapshot = snapshot;
      this.plan = plan;
      this.hook = hook;
    }

    @Override
    public Iterator<Partial> call(Integer partition, Iterator<Block> it) throws Exception {
      runHook(hook, partition, plan);
      Partial out = new Partial();
      out.tasks = 1;
      Block b = blockOf(it);
      long t = plan.firstStep();
      int s = plan.stepInEpoch(t);
      if (b == null || plan.rowsOf(partition, s) == 0) {
        return one(out);
      }
      long t0 = System.nanoTime();
      Snapshot snap = snapshot.value();
      Network net = plan.config().buildNetwork();
      int n = b.rows();
      int[] perm = new int[n];
      EpochPlan.permutation(plan.config().seed(), plan.epoch(), partition, plan.config().shuffle(), perm, n);
      int lo = EpochPlan.chunkStart(n, s, plan.stepsPerEpoch());
      int hi = EpochPlan.chunkStart(n, s + 1, plan.stepsPerEpoch());
      GradientWorker worker = new GradientWorker(net, Math.min(plan.config().microBatch(), hi - lo));
      float[] state = snap.netState.clone();
      worker.accumulate(b, perm, lo, hi, snap.params, state,
          EpochPlan.noiseSeed(plan.config().seed(), t, partition, 0), null);
      out.vector = worker.grad();
      out.state = scaled(state, plan.share(partition));
      out.sums.add(worker.sums());
      timed(out, t0);
      return one(out);
    }
  }

  /**
   * Local SGD round: H steps of the engine on this partition's share of each global mini-batch,
   * with the inner optimizer, from the broadcast weights; returns the share-weighted end weights.
   */
  static final class LocalRound implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    private final RoundPlan plan;
    private final TaskHook hook;

    LocalRound(Broadcast<Snapshot> snapshot, RoundPlan plan, TaskHook hook) {
      this.snapshot = snapshot;
      this.plan = plan;
      this.hook = hook;
    }

    @Override
    public Iterator<Partial> call(Integer partition, Iterator<Block> it) throws Exception {
      runHook(hook, partition, plan);
      Partial out = new Partial();
      out.tasks = 1;
      Block b = blockOf(it);
      double share = plan.share(partition);
      if (b == null || share == 0) {
        return one(out);
      }
      long t0 = System.nanoTime();
      Snapshot snap = snapshot.value();
      Network net = plan.config().buildNetwork();
      Optimizer inner = plan.config().buildOptimizer();
      float[][] slots = new float[snap.innerState.length][];
      for (int k = 0; k < slots.length; k++) {
        slots[k] = snap.innerState[k].clone();
      }
      OptimizerState os = OptimizerState.of(inner, snap.innerOptimizer, slots, net.paramCount());
      UpdateRule rule = new UpdateRule(inner, plan.config().buildSchedule(plan.totalSteps()),
          plan.config().buildPenalty(), plan.config().clipNorm(), net.segments());
      float[] params = snap.params.clone();
      float[] state = snap.netState.clone();
      int n = b.rows();
      int[] perm = new int[n];
      EpochPlan.permutation(plan.config().seed(), plan.epoch(), partition, plan.config().shuffle(), perm, n);
      GradientWorker worker = new GradientWorker(net, Math.min(plan.config().microBatch(), n));
      for (long t = plan.firstStep(); t < plan.firstStep() + plan.steps(); t++) {
        int s = plan.stepInEpoch(t);
        int lo = EpochPlan.chunkStart(n, s, plan.stepsPerEpoch());
        int hi = EpochPlan.chunkStart(n, s + 1, plan.stepsPerEpoch());
        if (lo == hi) {
          continue;
        }
        worker.reset();
        worker.accumulate(b, perm, lo, hi, params, state,
            EpochPlan.noiseSeed(plan.config().seed(), t, partition, 0), null);
        if (worker.sums().weightSum <= 0) {
          continue;                                      // all-zero sample weights: nothing to learn
        }
        try {
          rule.step(params, worker.grad(), worker.sums().lossSum, worker.sums().weightSum, os, t,
              plan.lrScale(), false);
        } catch (DivergenceException e) {
          out.divergedAt = t;
          out.divergence = e.getMessage();
          return one(out);
        }
        out.sums.add(worker.sums());
      }
      if (!org.sparkprop.linalg.FloatArrays.allFinite(params, 0, params.length)) {
        out.divergedAt = plan.firstStep() + plan.steps() - 1;
        out.divergence = "a replica's weights became non-finite during its round";
        return one(out);
      }
      out.vector = scaled(params, share);
      out.state = scaled(state, share);
      out.inner = new float[slots.length][];
      for (int k = 0; k < slots.length; k++) {
        out.inner[k] = scaled(os.slot(k), share);
      }
      timed(out, t0);
      return one(out);
    }
  }

  /** Inference-mode loss and accuracy sums of a partition at the broadcast weights. */
  static final class Evaluate implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    private final org.sparkprop.train.TrainConfig config;

    Evaluate(Broadcast<Snapshot> snapshot, org.sparkprop.train.TrainConfig config) {
      this.snapshot = snapshot;
      this.config = config;
    }

    @Override
    public Iterator<Partial> call(Integer partition, Iterator<Block> it) {
      Partial out = new Partial();
      out.tasks = 1;
      while (it.hasNext()) {
        Block b = it.next();
        if (b.rows() > 0) {
          Snapshot snap = snapshot.value();
          new Evaluator(config.buildNetwork(), 256).evaluate(snap.params, snap.netState, b, 0,
              b.rows(), out.sums);
        }
      }
      return one(out);
    }
  }

  private static void timed(Partial out, long t0) {
    out.computeSeconds = (System.nanoTime() - t0) / 1e9;
    out.maxComputeSeconds = out.computeSeconds;
    out.busyTasks = 1;
  }

  private static void runHook(TaskHook hook, int partition, RoundPlan plan) throws Exception {
    if (hook != null) {
      org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
      hook.beforeTask(partition, plan.firstStep(), ctx == null ? 0 : ctx.attemptNumber());
    }
  }

  static float[] scaled(float[] a, double factor) {
    float[] r = new float[a.length];
    float f = (float) factor;
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] * f;
    }
    return r;
  }
}
