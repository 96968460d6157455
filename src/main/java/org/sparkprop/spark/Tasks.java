package org.sparkprop.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.sparkprop.data.Block;
import org.sparkprop.data.Rows;
import org.sparkprop.linalg.FloatArrays;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.GradientWorker;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.UpdateRule;

/**
 * The functions Spark runs on each partition: the thin adapter between a partition's cached
 * blocks (one or several, held as one sequence of rows or streamed: {@link RoundPlan#rowsOf})
 * and the engine. Every input comes from the broadcast snapshot and the round plan,
 * and every random stream from (seed, step, partition), so a retried or re-run task computes
 * exactly the same result.
 */
final class Tasks {

  private Tasks() {}

  /**
   * What a training task does around its compute: run the test hook, read the partition's blocks,
   * skip empty work, time the compute. Subclasses fill {@code out} from the rows and the snapshot.
   */
  abstract static class RoundTask implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    final RoundPlan plan;
    private final TaskHook hook;

    RoundTask(Broadcast<Snapshot> snapshot, RoundPlan plan, TaskHook hook) {
      this.snapshot = snapshot;
      this.plan = plan;
      this.hook = hook;
    }

    /** True when this partition has rows in this job's mini-batches. */
    abstract boolean hasWork(int partition);

    /** Computes this partition's contribution into {@code out}. */
    abstract void compute(int partition, RoundPlan.EpochRows rows, Snapshot snap, Partial out);

    @Override
    public final Iterator<Partial> call(Integer partition, Iterator<Block> it) throws Exception {
      runHook(hook, partition, plan);
      Partial out = new Partial();
      out.tasks = 1;
      RoundPlan.EpochRows rows = hasWork(partition) ? plan.rowsOf(partition, it) : null;
      if (rows != null) {
        long t0 = System.nanoTime();
        compute(partition, rows, snapshot.value(), out);
        timed(out, t0);
      }
      return List.of(out).iterator();
    }
  }

  /** Synchronous step: Σ w·∂L/∂θ over this partition's rows of the global mini-batch. */
  static final class SyncStep extends RoundTask {
    private static final long serialVersionUID = 1L;

    SyncStep(Broadcast<Snapshot> snapshot, RoundPlan plan, TaskHook hook) {
      super(snapshot, plan, hook);
    }

    @Override
    boolean hasWork(int partition) {
      return plan.rowsOf(partition, plan.stepInEpoch(plan.firstStep())) > 0;
    }

    @Override
    void compute(int partition, RoundPlan.EpochRows rows, Snapshot snap, Partial out) {
      long t = plan.firstStep();
      int s = plan.stepInEpoch(t);
      Network net = plan.config().buildNetwork();
      Rows b = rows.rows();
      int n = b.rows();
      int[] perm = rows.order();
      int lo = EpochPlan.chunkStart(n, s, plan.stepsPerEpoch());
      int hi = EpochPlan.chunkStart(n, s + 1, plan.stepsPerEpoch());
      GradientWorker worker = new GradientWorker(net, Math.min(plan.config().microBatch(), hi - lo));
      float[] state = snap.netState.clone();
      worker.accumulate(b, perm, lo, hi, snap.params, state,
          EpochPlan.noiseSeed(plan.config().seed(), t, partition, 0), null);
      out.vector = worker.grad();
      out.state = scaled(state, plan.share(partition));
      out.sums.add(worker.sums());
    }
  }

  /**
   * Local SGD round: H steps of the engine on this partition's share of each global mini-batch,
   * with the inner optimizer, from the broadcast weights; returns the share-weighted end weights.
   */
  static final class LocalRound extends RoundTask {
    private static final long serialVersionUID = 1L;

    LocalRound(Broadcast<Snapshot> snapshot, RoundPlan plan, TaskHook hook) {
      super(snapshot, plan, hook);
    }

    @Override
    boolean hasWork(int partition) {
      return plan.share(partition) > 0;
    }

    @Override
    void compute(int partition, RoundPlan.EpochRows rows, Snapshot snap, Partial out) {
      double share = plan.share(partition);
      Rows b = rows.rows();
      Network net = plan.config().buildNetwork();
      Optimizer inner = plan.config().buildOptimizer();
      OptimizerState os = snap.optimizerStateCopy(inner, net.paramCount());
      UpdateRule rule = plan.updateRule(inner, net);
      float[] params = snap.params.clone();
      float[] state = snap.netState.clone();
      int n = b.rows();
      int[] perm = rows.order();
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
              plan.skippedBefore(), plan.lrScale(), false);
        } catch (DivergenceException e) {
          out.divergedAt = t;
          out.divergence = e.getMessage();
          return;
        }
        out.sums.add(worker.sums());
      }
      if (!FloatArrays.allFinite(params, 0, params.length)) {
        out.divergedAt = plan.firstStep() + plan.steps() - 1;
        out.divergence = "a replica's weights became non-finite during its round";
        return;
      }
      out.vector = scaled(params, share);
      out.state = scaled(state, share);
      out.inner = new float[os.slotCount()][];
      for (int k = 0; k < os.slotCount(); k++) {
        out.inner[k] = scaled(os.slot(k), share);
      }
    }
  }

  /** Inference-mode loss and accuracy sums of a partition at the broadcast weights. */
  static final class Evaluate implements Function2<Integer, Iterator<Block>, Iterator<Partial>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Snapshot> snapshot;
    private final TrainConfig config;

    Evaluate(Broadcast<Snapshot> snapshot, TrainConfig config) {
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
          Network net = config.buildNetwork();
          // As training checks its data: a wrong width or label must fail, not read neighbours.
          org.sparkprop.data.Blocks.checkFits(b, net, "evaluation data (partition " + partition + ")");
          new Evaluator(net, 256).evaluate(snap.params, snap.netState, b, 0, b.rows(), out.sums);
        }
      }
      return List.of(out).iterator();
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
