package org.sparkprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Serializable;
import java.nio.channels.ServerSocketChannel;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.HashPartitioner;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.rdd.RDD;
import org.apache.spark.SparkEnv;
import org.sparkprop.collective.ChainAllReduce;
import org.sparkprop.collective.Collective;
import org.sparkprop.collective.PortRange;
import org.sparkprop.collective.Tracker;
import org.sparkprop.data.Block;
import org.sparkprop.data.Rows;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.TrainingState;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.GradientWorker;
import org.sparkprop.train.UpdateRule;

/**
 * One task of an {@code allreduce} barrier stage: replica r is rank r. It registers at the
 * driver's {@link Tracker}, connects to its neighbours, receives the stage's start state (rank 0
 * from the tracker, the others along the chain), and then, for every step of the stage:
 *
 * <pre>
 *   grad  = Σ w·∂L/∂θ over its rows of the global batch        (as a sync task computes it)
 *   state = share_r · batch-norm state after those rows
 *   sums  = Σ loss, Σ w, rows, correct
 *   all-reduce grad, state, sums (in rank order: the driver's ordered sum, bitwise)
 *   the synchronous update ({@link SyncUpdate}): the same weights on every rank
 * </pre>
 * At the stage's end rank 0 uploads the weights, batch-norm state and optimizer state to the
 * tracker, and every rank returns its timing. The bulk state thus travels as raw floats, never
 * through Spark's serialised broadcast and task results (measured ~1 s per stage on a 2-worker
 * cluster for 2.8 MB). A failure anywhere fails the barrier stage; Spark runs it again, and the
 * tracker hands the new attempt the same start state, so the weights are those of an undisturbed
 * run. {@link #runOnDriver} is the driver's side.
 */
final class AllReduceStage implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AllReduceStage.class);

  private final RoundPlan plan;
  /** The shapes of the start state: the optimizer, its slot count, the batch-norm state's length. */
  private final String optimizerName;
  private final int slotCount;
  private final int stateLength;
  private final TaskHook hook;
  private final byte[] token;
  private final String tracker;
  private final long timeoutMs;
  private final PortRange ports;
  private final boolean bf16;
  private final boolean sharedMemory;

  AllReduceStage(String optimizerName, int slotCount, int stateLength, RoundPlan plan,
                 TaskHook hook, byte[] token,
                 String tracker, long timeoutMs, PortRange ports, boolean bf16,
                 boolean sharedMemory) {
    this.bf16 = bf16;
    this.sharedMemory = sharedMemory;
    this.optimizerName = optimizerName;
    this.slotCount = slotCount;
    this.stateLength = stateLength;
    this.plan = plan;
    this.hook = hook;
    this.token = token;
    this.tracker = tracker;
    this.timeoutMs = timeoutMs;
    this.ports = ports;
  }

  /** One rank's whole stage; its results go to the tracker ({@link #report}), none to Spark. */
  void call(int rank, Iterator<Block> it) throws Exception {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int attempt = ctx == null ? 0 : ctx.stageAttemptNumber();
    RoundPlan.EpochRows b = plan.rowsOf(rank, it);      // null: no rows
    String host = SparkEnv.get().blockManager().blockManagerId().host();
    ServerSocketChannel server = ports.bind(host);
    String me = host + ":" + server.socket().getLocalPort();
    long r0 = System.nanoTime();
    Tracker.Rendezvous rv;
    try {
      rv = Tracker.join(tracker, token, rank, attempt, me, timeoutMs);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    Network net = plan.config().buildNetwork();
    Partial out = new Partial();
    out.tasks = 1;
    out.rank = rank;
    // Shared regions as large as the gradient, the largest vector a step reduces.
    long gradientBytes = 4L * net.paramCount();
    int sharedBytes = sharedMemory && gradientBytes <= Integer.MAX_VALUE / 4 ? (int) gradientBytes : 0;
    try (ChainAllReduce c = ChainAllReduce.connect(rank, rv.addresses(), server, token, timeoutMs,
        bf16, sharedBytes)) {
      out.sharedLinks = c.sharedLinks();
      float[][] start = startState(rank, rv.vectors(), net.paramCount(), c);
      out.rendezvousSeconds = (System.nanoTime() - r0) / 1e9;
      float[][] end = train(rank, b, c, out, attempt, net, start);
      out.bytesSent = c.bytesSent();
      Tracker.upload(tracker, token, rank, attempt, report(out),
          rank == 0 && out.divergedAt == 0 ? end : new float[0][], timeoutMs);
    }
  }

  /** A rank's results as the numbers it uploads; {@link #reported} reads them back. */
  private static double[] report(Partial p) {
    return new double[] {p.computeSeconds, p.syncSeconds, p.rendezvousSeconds, p.bytesSent,
        p.sharedLinks, p.divergedAt, p.skippedSteps, p.lrScale, p.sums.lossSum, p.sums.weightSum,
        p.sums.rows, p.sums.correctWeight};
  }

  private static Partial reported(int rank, double[] x) {
    if (x.length != 12) {
      throw new IllegalStateException("rank " + rank + " reported " + x.length + " numbers, not 12");
    }
    Partial p = new Partial();
    p.rank = rank;
    p.tasks = 1;
    p.computeSeconds = x[0];
    p.syncSeconds = x[1];
    p.rendezvousSeconds = x[2];
    p.bytesSent = (long) x[3];
    p.sharedLinks = (int) x[4];
    p.divergedAt = (long) x[5];
    p.skippedSteps = (long) x[6];
    p.lrScale = x[7];
    p.sums.lossSum = x[8];
    p.sums.weightSum = x[9];
    p.sums.rows = (long) x[10];
    p.sums.correctWeight = x[11];
    return p;
  }

  /**
   * The stage's start state on every rank: {params, netState, slot 0, …}, rank 0's from the
   * tracker, passed along the chain.
   */
  private float[][] startState(int rank, float[][] offered, int paramCount, Collective c)
      throws IOException {
    float[][] v = new float[2 + slotCount][];
    for (int k = 0; k < v.length; k++) {
      v[k] = rank == 0 ? offered[k] : new float[k == 1 ? stateLength : paramCount];
    }
    if (rank == 0 && (offered.length != v.length || v[0].length != paramCount
        || v[1].length != stateLength)) {
      throw new IllegalStateException("the tracker's start state does not fit the network");
    }
    for (float[] x : v) {
      if (x.length > 0) {
        c.broadcast(x, 0, x.length);
      }
    }
    return v;
  }

  /** The stage's steps from {@code start}; returns the end state, shaped as the start. */
  private float[][] train(int rank, RoundPlan.EpochRows b, Collective c, Partial out, int attempt, Network net,
                          float[][] start) throws Exception {
    Optimizer optimizer = plan.config().buildOptimizer();
    float[][] slots = java.util.Arrays.copyOfRange(start, 2, start.length);
    OptimizerState os = OptimizerState.of(optimizer, optimizerName, slots, net.paramCount());
    UpdateRule rule = plan.updateRule(optimizer, net);
    float[] params = start[0];
    float[] netState = start[1];
    float[] state = new float[netState.length];
    double lrScale = plan.lrScale();
    Rows rows = b == null ? null : b.rows();
    int n = rows == null ? 0 : rows.rows();
    int[] perm = b == null ? new int[0] : b.order();
    int largestChunk = 0;
    for (int s = 0; s < plan.stepsPerEpoch(); s++) {
      largestChunk = Math.max(largestChunk, plan.rowsOf(rank, s));
    }
    GradientWorker worker = new GradientWorker(net, Math.max(1,
        Math.min(plan.config().microBatch(), largestChunk)));
    BatchSums stageSums = new BatchSums();
    BatchSums stepSums = new BatchSums();
    double[] sums = new double[4];
    double compute = 0;
    double sync = 0;
    for (long t = plan.firstStep(); t < plan.firstStep() + plan.steps(); t++) {
      if (hook != null) {
        hook.beforeTask(rank, t, attempt);
      }
      long t0 = System.nanoTime();
      int s = plan.stepInEpoch(t);
      int lo = EpochPlan.chunkStart(n, s, plan.stepsPerEpoch());
      int hi = EpochPlan.chunkStart(n, s + 1, plan.stepsPerEpoch());
      worker.reset();
      float[] grad = worker.grad();
      java.util.Arrays.fill(state, 0f);
      if (lo < hi) {
        float[] after = netState.clone();
        worker.accumulate(rows, perm, lo, hi, params, after,
            EpochPlan.noiseSeed(plan.config().seed(), t, rank, 0), null);
        float share = (float) shareOfStep(rank, s);
        for (int i = 0; i < state.length; i++) {
          state[i] = after[i] * share;                      // as Tasks.scaled does
        }
      }
      BatchSums mine = worker.sums();
      sums[0] = mine.lossSum;
      sums[1] = mine.weightSum;
      sums[2] = mine.rows;
      sums[3] = mine.correctWeight;
      long t1 = System.nanoTime();
      c.allReduce(grad, 0, grad.length, sums);               // the sums ride in its headers
      if (state.length > 0) {
        c.allReduce(state, 0, state.length);
      }
      long t2 = System.nanoTime();
      stepSums.reset();
      stepSums.lossSum = sums[0];
      stepSums.weightSum = sums[1];
      stepSums.rows = (long) sums[2];
      stepSums.correctWeight = sums[3];
      try {
        if (SyncUpdate.apply(rule, params, grad, stepSums, os, t,
            plan.skippedBefore() + out.skippedSteps, lrScale,
            plan.config().skipOnDivergence())) {
          System.arraycopy(state, 0, netState, 0, state.length);
          stageSums.add(stepSums);
        }
      } catch (DivergenceException e) {
        if (!plan.config().skipOnDivergence()) {
          out.divergedAt = t;
          break;
        }
        lrScale *= 0.5;                                     // every rank skips the same step
        out.skippedSteps++;
      }
      compute += (System.nanoTime() - t2 + t1 - t0) / 1e9;
      sync += (t2 - t1) / 1e9;
    }
    out.computeSeconds = compute;
    out.maxComputeSeconds = compute;
    out.busyTasks = 1;
    out.syncSeconds = sync;
    out.lrScale = lrScale;
    if (rank == 0) {
      out.sums.add(stageSums);
    }
    float[][] end = new float[2 + os.slotCount()][];
    end[0] = params;
    end[1] = netState;
    for (int k = 0; k < os.slotCount(); k++) {
      end[2 + k] = os.slot(k);
    }
    return end;
  }

  /**
   * One barrier stage of {@code steps} synchronous steps, all-reduced among the tasks (see
   * this class); the driver runs the rendezvous and takes rank 0's weights at the end.
   */
  static void runOnDriver(TrainingRun run, TrainingState st, int steps) {
    long t0 = System.nanoTime();
    RoundPlan plan = new RoundPlan(run.cfg, st.step + 1, steps, run.stepsPerEpoch, run.sizes,
        st.lrScale, st.skippedSteps, run.totalSteps, run.dist.streamWindowRows());
    byte[] token = Tracker.newToken();
    List<Partial> parts;
    float[][] end = null;
    int slots = st.optimizer.slotCount();
    try (Tracker tracker = Tracker.start(run.driverHost(), run.dist.ports(), token, run.sizes.length,
        run.dist.collectiveTimeoutMs())) {
      float[][] start = new float[2 + slots][];
      start[0] = st.params;
      start[1] = st.netState;
      for (int k = 0; k < slots; k++) {
        start[2 + k] = st.optimizer.slot(k);
      }
      tracker.offer(start);
      run.sc.setJobDescription("sparkprop allreduce stage at step " + (st.step + 1));
      AllReduceStage stage = new AllReduceStage(st.optimizer.optimizer(), slots, st.netState.length,
          plan, run.hook, token, tracker.address(),
          run.dist.collectiveTimeoutMs(), run.dist.ports(),
          run.dist.collectivePrecision().equals("bf16"), run.dist.collectiveSharedMemory());
      // Spark retries a failed barrier stage only when it is a shuffle map stage ("Could not
      // recover from a failed barrier ResultStage"), so the stage runs as a map stage of its own
      // (SparkContext.submitMapStage, as adaptive query execution does), writing an empty
      // shuffle; the ranks' results come through the tracker. No result stage follows it (one
      // fewer stage, ~0.1-0.3 s each on a 2-worker cluster).
      RDD<scala.Tuple2<Object, Object>> ranks = run.data.rdd().barrier().mapPartitionsWithIndex(
          new AllReduceStage.Function(stage), true, scala.reflect.ClassTag$.MODULE$.apply(scala.Tuple2.class));
      ShuffleDependency<Object, Object, Object> stageDependency = new ShuffleDependency<>(ranks,
          new HashPartitioner(1), SparkEnv.get().serializer(), scala.Option.empty(),
          scala.Option.empty(), false, new org.apache.spark.shuffle.ShuffleWriteProcessor(),
          scala.reflect.ClassTag$.MODULE$.AnyRef(), scala.reflect.ClassTag$.MODULE$.AnyRef(),
          scala.reflect.ClassTag$.MODULE$.AnyRef());
      run.sc.sc().submitMapStage(stageDependency).get();
      parts = new java.util.ArrayList<>();
      for (int r = 0; r < run.sizes.length; r++) {
        Tracker.Upload u = tracker.result(r);
        if (u == null) {
          throw new IllegalStateException("allreduce rank " + r + " finished without reporting");
        }
        parts.add(reported(r, u.numbers()));
        if (r == 0) {
          end = u.vectors();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the allreduce rendezvous on the driver ("
          + run.driverHost() + ", spark.collectivePorts=" + run.dist.collectivePorts() + "): "
          + e.getMessage(), e);
    } catch (Exception e) {
      throw run.jobFailed(e, st, "the allreduce stage from step " + (st.step + 1));
    }
    Partial rank0 = null;
    double compute = 0;
    double maxCompute = 0;
    double sync = 0;
    int shared = 0;
    for (Partial p : parts) {
      shared += p.sharedLinks;
      if (p.rank == 0) {
        rank0 = p;
      }
      compute += p.computeSeconds;
      maxCompute = Math.max(maxCompute, p.computeSeconds);
      sync = Math.max(sync, p.syncSeconds);
      run.stats.collectiveBytes += p.bytesSent;
      run.stats.rendezvousSeconds = Math.max(run.stats.rendezvousSeconds, p.rendezvousSeconds);
    }
    if (rank0 == null) {
      throw new IllegalStateException("the allreduce stage returned nothing from rank 0");
    }
    if (run.stats.collectiveLinks == 0) {
      LOG.info("allreduce: {} ranks, {} of {} links between neighbours through shared memory",
          parts.size(), shared / 2, parts.size() - 1);
    }
    run.stats.collectiveLinks = parts.size() - 1;
    run.stats.sharedMemoryLinks = shared / 2;                 // each link counted by both ends
    if (rank0.divergedAt > 0) {
      throw new DivergenceException(rank0.divergedAt, "a synchronous step met a non-finite loss, "
          + "gradient or update", false);
    }
    if (end == null || end.length != 2 + slots || end[0].length != st.params.length
        || end[1].length != st.netState.length) {
      throw new IllegalStateException("rank 0 did not upload the stage's weights to the tracker");
    }
    System.arraycopy(end[0], 0, st.params, 0, st.params.length);
    System.arraycopy(end[1], 0, st.netState, 0, st.netState.length);
    for (int k = 0; k < slots; k++) {
      System.arraycopy(end[2 + k], 0, st.optimizer.slot(k), 0, st.params.length);
    }
    st.skippedSteps += rank0.skippedSteps;
    st.lrScale = rank0.lrScale;
    st.step += steps;
    run.epochSums.add(rank0.sums);
    long t1 = System.nanoTime();
    run.stats.jobs++;
    run.stats.wallSeconds += (t1 - t0) / 1e9;
    run.stats.taskComputeSeconds += compute / Math.max(1, parts.size());
    run.stats.totalTaskSeconds += compute;
    run.stats.rowsTrained += rank0.sums.rows;
    run.stats.collectiveSeconds += sync;
    run.stats.collectiveSteps += steps;
    run.last = new LocalStepsPolicy.JobTiming((t1 - t0) / 1e9, maxCompute, compute, parts.size(), steps);
  }

  /** Rows of replica p in step index s over all replicas' rows of that step. */
  private double shareOfStep(int p, int s) {
    long all = 0;
    for (int q = 0; q < plan.partitionRows().length; q++) {
      all += plan.rowsOf(q, s);
    }
    return all == 0 ? 0 : plan.rowsOf(p, s) / (double) all;
  }

  /** The stage as Spark's barrier API wants it: a Scala function of (partition, iterator). */
  static final class Function extends scala.runtime.AbstractFunction2<Object,
      scala.collection.Iterator<Block>, scala.collection.Iterator<scala.Tuple2<Object, Object>>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final AllReduceStage stage;

    Function(AllReduceStage stage) {
      this.stage = stage;
    }

    @Override
    public scala.collection.Iterator<scala.Tuple2<Object, Object>> apply(Object partition,
        scala.collection.Iterator<Block> it) {
      try {
        stage.call((Integer) partition, scala.jdk.javaapi.CollectionConverters.asJava(it));
        return scala.collection.Iterator$.MODULE$.empty();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("allreduce rank " + partition + ": " + e.getMessage(), e);
      }
    }
  }
}
