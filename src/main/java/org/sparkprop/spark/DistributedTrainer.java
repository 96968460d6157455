package org.sparkprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.Checkpoints;
import org.sparkprop.train.DivergenceException;
import org.sparkprop.train.EpochMetrics;
import org.sparkprop.train.EpochPlan;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.Model;
import org.sparkprop.train.Provenance;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;
import org.sparkprop.train.TrainingResult;
import org.sparkprop.train.TrainingState;
import org.sparkprop.train.UpdateRule;

/**
 * Data-parallel training on Spark: partitions hold packed blocks (cached once), tasks run the
 * engine, the driver owns the weights and the optimizer.
 *
 * <p>Each Spark job:
 * <pre>
 *   driver    broadcast a fresh snapshot (weights, batch-norm state[, inner optimizer state])
 *   tasks     synchronous: Σ w·∂L/∂θ over the partition's rows of the global mini-batch
 *             local SGD:   H engine steps on the partition's rows of H global mini-batches
 *   driver    treeAggregate (depth settable) of the partials; destroy the broadcast
 *             synchronous: g = Σgrad/Σw (+ penalty, clipping), finite check, optimizer, schedule
 *             local SGD:   w̄ = Σ_p share_p·w_p; outer optimizer on the pseudo-gradient w − w̄
 * </pre>
 * With H = 1, plain SGD inside and plain averaging outside, local SGD is synchronous SGD again.
 * The batches are those of {@link EpochPlan}, so in synchronous mode this trainer computes the
 * same steps as the {@link org.sparkprop.train.LocalTrainer} given the same shards.
 *
 * <p>Spark's fixed cost per job (broadcast, scheduling, aggregation: 20–150 ms here) is paid per
 * step in synchronous mode and per H steps in local SGD, where H can be chosen so that the
 * measured overhead stays under a target share of each job.
 */
public final class DistributedTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);
  /** Steps of the first local-SGD round when H is chosen automatically: it measures a step's cost. */
  static final int CALIBRATION_STEPS = 8;

  private final JavaSparkContext sc;
  private final TrainConfig cfg;
  private final SparkTrainConfig dist;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private List<String> classNames;
  private String dataSource = "spark";
  private TaskHook hook;
  private final RunStats stats = new RunStats();

  public DistributedTrainer(JavaSparkContext sc, TrainConfig cfg, SparkTrainConfig dist) {
    this.sc = sc;
    this.dist = dist;
    TrainConfig c = cfg;
    if (dist.lrScaling().equals("linear") && cfg.batchSize() > 0) {
      c = cfg.toBuilder().learningRate(cfg.learningRate() * cfg.batchSize() / dist.referenceBatch())
          .build();
    }
    this.cfg = c;
    if (cfg.usesFullBatchSolver()) {
      throw new IllegalArgumentException("the Spark trainer runs first-order optimizers; "
          + cfg.optimizer() + " is for the local trainer");
    }
  }

  public DistributedTrainer listener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /** Runs {@code h} at the start of every training task (fault injection in tests). */
  public DistributedTrainer taskHook(TaskHook h) {
    this.hook = h;
    return this;
  }

  public DistributedTrainer classNames(List<String> names) {
    this.classNames = names;
    return this;
  }

  public DistributedTrainer dataSource(String source) {
    this.dataSource = source;
    return this;
  }

  /** Timing of the last run: where the wall time went. */
  public RunStats stats() {
    return stats;
  }

  /**
   * Trains on {@code train} (one block per partition, as {@link SparkData} makes them), validating
   * after every epoch on {@code validation} (may be null). With {@code resume}, continues from the
   * latest checkpoint in the configured directory.
   */
  public TrainingResult fit(JavaRDD<Block> train, JavaRDD<Block> validation, boolean resume) {
    Network net = cfg.buildNetwork();
    net.checkTrainable();
    JavaRDD<Block> input = train;
    if (dist.partitions() > 0 && train.getNumPartitions() != dist.partitions()) {
      throw new IllegalArgumentException("the data has " + train.getNumPartitions()
          + " partitions but partitions=" + dist.partitions() + "; pack it with that many");
    }
    List<JavaRDD<Block>> persisted = new ArrayList<>();
    try {
      // Validate against the network and fit the scaling, in one pass over the raw blocks.
      Scaler.Stats stats0;
      TrainConfig c = cfg;                                   // captured by tasks: not `this`
      try {
        stats0 = input.map(b -> {
          if (b.rows() > 0) {
            org.sparkprop.data.Blocks.checkFits(b, c.buildNetwork(), "training data");
          }
          return new Scaler.Stats().add(b);
        }).treeReduce(Scaler.Stats::merge, dist.aggregationDepth());
      } catch (Exception e) {                            // Spark's SparkException is checked
        throw SparkData.unwrap(e);
      }
      Scaler scaler = stats0.toScaler(Scaler.Kind.parse(cfg.scaling()), net.inputSize());
      JavaRDD<Block> data = input.map(scaler::apply).setName("sparkprop training blocks");
      data.persist(StorageLevel.MEMORY_AND_DISK());
      persisted.add(data);
      JavaRDD<Block> val = null;
      if (validation != null) {
        val = validation.map(b -> {
          if (b.rows() > 0) {
            org.sparkprop.data.Blocks.checkFits(b, c.buildNetwork(), "validation data");
          }
          return scaler.apply(b);
        }).setName("sparkprop validation blocks");
        val.persist(StorageLevel.MEMORY_AND_DISK());
        persisted.add(val);
      }
      int[] sizes;
      try {
        sizes = SparkData.partitionRows(data);
        if (val != null) {
          SparkData.partitionRows(val);
        }
      } catch (Exception e) {                            // Spark's SparkException is checked
        throw SparkData.unwrap(e);
      }
      long rows = Arrays.stream(sizes).asLongStream().sum();
      if (rows == 0) {
        throw new IllegalArgumentException("the training data is empty: nothing to train on");
      }
      return new Run(net, data, val, sizes, rows, scaler).train(resume);
    } finally {
      for (JavaRDD<Block> r : persisted) {
        r.unpersist(false);
      }
    }
  }

  /** Where the time of a run went, for logs and benchmarks. */
  public static final class RunStats {
    public long jobs;
    public double wallSeconds;
    /** Mean over partitions of the seconds tasks spent computing (forward, backward, local updates). */
    public double taskComputeSeconds;
    /** Seconds the driver spent in optimizer updates and averaging. */
    public double driverSeconds;
    public double jobOverheadMs = Double.NaN;
    public int localSteps;

    /** Share of wall time outside forward/backward/update: Spark's share. */
    public double outsideComputeFraction() {
      return wallSeconds <= 0 ? Double.NaN
          : Math.max(0, 1 - (taskComputeSeconds + driverSeconds) / wallSeconds);
    }
  }

  private final class Run {
    final Network net;
    final JavaRDD<Block> data;
    final JavaRDD<Block> validation;
    final int[] sizes;
    final long rows;
    final Scaler scaler;
    final int stepsPerEpoch;
    final long totalSteps;
    final Optimizer optimizer;
    final UpdateRule rule;
    final Optimizer outer;
    final Checkpoints checkpoints;
    final Map<String, Object> fingerprint;
    final BatchSums epochSums = new BatchSums();

    Run(Network net, JavaRDD<Block> data, JavaRDD<Block> validation, int[] sizes, long rows,
        Scaler scaler) {
      this.net = net;
      this.data = data;
      this.validation = validation;
      this.sizes = sizes;
      this.rows = rows;
      this.scaler = scaler;
      this.stepsPerEpoch = EpochPlan.stepsPerEpoch(sizes, cfg.batchSize());
      this.totalSteps = (long) stepsPerEpoch * cfg.epochs();
      this.optimizer = cfg.buildOptimizer();
      this.rule = new UpdateRule(optimizer, cfg.buildSchedule(totalSteps), cfg.buildPenalty(),
          cfg.clipNorm(), net.segments());
      this.outer = dist.mode() == SyncMode.LOCAL_SGD ? dist.buildOuterOptimizer() : null;
      try {
        this.checkpoints = dist.checkpointDir().isEmpty() ? null : new Checkpoints(
            new HadoopFileStore(dist.checkpointDir(), sc.hadoopConfiguration()), dist.keepLast());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open checkpoint directory " + dist.checkpointDir(), e);
      }
      this.fingerprint = new LinkedHashMap<>();
      fingerprint.put("rows", rows);
      fingerprint.put("features", net.inputSize());
      fingerprint.put("partitionRows", Arrays.toString(sizes));
      checkResultSize();
    }

    /** Fails early, with the fix, when P partials would exceed spark.driver.maxResultSize. */
    void checkResultSize() {
      long bytesPerPartial = 4L * net.paramCount() * (outer == null ? 1 : 1 + optimizer.stateNames().size());
      long total = bytesPerPartial * sizes.length;
      long max = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
      if (max > 0 && total > max) {
        throw new IllegalArgumentException("each job returns " + sizes.length + " partials of "
            + bytesPerPartial + " bytes (" + total + " in all), more than spark.driver.maxResultSize="
            + max + "; raise spark.driver.maxResultSize or use fewer partitions");
      }
    }

    Map<String, Object> configMap() {
      Map<String, Object> m = new LinkedHashMap<>(cfg.toMap());
      m.put("spark", dist.toMap());
      return m;
    }

    TrainingState fresh() {
      TrainingState st = new TrainingState(net.initParams(cfg.buildInit(), cfg.seed()),
          net.initState(), optimizer.init(net.paramCount()));
      if (outer != null) {
        st.outer = outer.init(net.paramCount());
      }
      if (checkpoints != null) {
        try {
          checkpoints.prepareFresh(dist.overwrite());
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
      return st;
    }

    TrainingState resumed() {
      try {
        if (checkpoints == null || checkpoints.latest() == null) {
          throw new IOException("no checkpoint to resume from in "
              + (checkpoints == null ? "(no checkpointDir set)" : checkpoints.store().location()));
        }
        String latest = checkpoints.latest();
        TrainingState st = checkpoints.load(latest, net, optimizer, outer, configMap(), fingerprint);
        LOG.info("resuming from {} at step {}", checkpoints.store().describe(latest), st.step);
        return st;
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }

    TrainingResult train(boolean resume) {
      TrainingState st = resume ? resumed() : fresh();
      for (TrainingListener l : listeners) {
        l.onStart(cfg.epochs(), stepsPerEpoch, rows);
      }
      int h = resolveLocalSteps(st);
      stats.localSteps = h;
      long t0 = System.nanoTime();
      double prior = st.history.isEmpty() ? 0 : st.history.get(st.history.size() - 1).elapsedSeconds();
      boolean stopped = st.stopped;
      while (!stopped && st.step < totalSteps) {
        int epoch = st.epoch(stepsPerEpoch);
        long epochStart = System.nanoTime();
        epochSums.reset();
        long epochEnd = (long) (epoch + 1) * stepsPerEpoch;
        long jobsInEpoch = 0;
        while (st.step < epochEnd) {
          int want = h == 0 ? CALIBRATION_STEPS : h;
          int steps = dist.mode() == SyncMode.SYNC ? 1 : (int) Math.min(want, epochEnd - st.step);
          runJob(st, steps);
          jobsInEpoch++;
          if (adaptive) {
            h = chooseLocalSteps(h);
            stats.localSteps = h;
          }
          for (TrainingListener l : listeners) {
            l.onProgress(epoch + 1, (int) (st.step - (long) epoch * stepsPerEpoch), stepsPerEpoch);
          }
          if (checkpoints != null && jobsInEpoch % dist.checkpointEvery() == 0 && st.step < epochEnd) {
            save(st, h);
          }
        }
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        BatchSums valSums = validation == null ? null : evaluate(validation, st);
        EpochMetrics m = new EpochMetrics(epoch + 1, st.step, epochSums.meanLoss(),
            Evaluator.metric(net, epochSums),
            valSums == null ? Double.NaN : valSums.meanLoss(),
            valSums == null ? Double.NaN : Evaluator.metric(net, valSums), Evaluator.metricName(net),
            rule.learningRate(st.step, st.lrScale), epochSums.rows / epochSeconds, epochSeconds,
            prior + (System.nanoTime() - t0) / 1e9);
        st.history.add(m);
        double monitored = valSums == null ? m.trainLoss() : m.validationLoss();
        if (st.observe(monitored, epoch + 1, cfg.patience(), cfg.minDelta())) {
          stopped = true;
          st.stopped = true;
          LOG.info("early stopping after epoch {} (best epoch {})", epoch + 1, st.bestEpoch);
        }
        if (checkpoints != null) {
          save(st, h);
        }
        for (TrainingListener l : listeners) {
          l.onEpoch(m);
        }
      }
      double seconds = prior + (System.nanoTime() - t0) / 1e9;
      boolean restore = cfg.patience() > 0 && cfg.restoreBest() && st.bestParams != null;
      Map<String, Object> provenance = Provenance.of(configMap(), dataSource,
          "spark:" + sc.master(), st.history);
      provenance.put("localStepsUsed", h);
      Model model = new Model(net, (restore ? st.bestParams : st.params).clone(),
          (restore ? st.bestNetState : st.netState).clone(), scaler, classNames, provenance);
      TrainingResult result = new TrainingResult(model, List.copyOf(st.history), st.step, seconds,
          stopped, st.bestEpoch, st.skippedSteps);
      for (TrainingListener l : listeners) {
        l.onEnd(result);
      }
      return result;
    }

    /** H for local SGD: given, from a checkpoint, or 0 = adapt to the measured costs. */
    int resolveLocalSteps(TrainingState st) {
      if (dist.mode() == SyncMode.SYNC) {
        return 1;
      }
      Object saved = st.extras.get("localSteps");
      if (saved instanceof Number n && n.intValue() > 0) {
        return n.intValue();
      }
      if (dist.localSteps() > 0) {
        return Math.min(dist.localSteps(), stepsPerEpoch);
      }
      adaptive = true;
      return 0;
    }

    /** True when H adapts, round after round, to the measured job overhead and step cost. */
    boolean adaptive;
    double lastTaskComputeSeconds;
    double lastJobSeconds;
    int lastRoundSteps;

    /**
     * After each round, the H that keeps Spark's fixed cost (the round's wall time minus the tasks'
     * compute) at most {@code overheadTarget} of a job: overhead ≤ f·(overhead + H·step) gives
     * H ≥ overhead·(1 − f) / (f·step), then evened out so an epoch splits into equal rounds.
     * Costs fall as the JIT warms up, so H is re-derived every round from the latest one (capped
     * at an epoch's steps).
     */
    int chooseLocalSteps(int current) {
      double stepSeconds = lastTaskComputeSeconds / Math.max(1, lastRoundSteps);
      double overhead = Math.max(0, lastJobSeconds - lastTaskComputeSeconds);
      double f = dist.overheadTarget();
      int h = (int) Math.ceil(overhead * (1 - f) / (f * Math.max(stepSeconds, 1e-6)));
      h = Math.max(1, Math.min(h, stepsPerEpoch));
      int rounds = (stepsPerEpoch + h - 1) / h;               // equal rounds: no short last round
      h = (stepsPerEpoch + rounds - 1) / rounds;              // paying a whole job's overhead
      stats.jobOverheadMs = overhead * 1000;
      if (current == 0 || h > 2 * current || 2 * h < current) {
        LOG.info("local SGD: job overhead {} ms, {} ms per local step -> H = {} steps per round "
            + "(overhead <= {}%)", String.format("%.1f", overhead * 1000),
            String.format("%.2f", stepSeconds * 1000), h, Math.round(f * 100));
      }
      return h;
    }

    Snapshot snapshot(TrainingState st) {
      if (outer == null) {
        return new Snapshot(st.params, st.netState, null, null);
      }
      float[][] slots = new float[st.optimizer.slotCount()][];
      for (int k = 0; k < slots.length; k++) {
        slots[k] = st.optimizer.slot(k);
      }
      return new Snapshot(st.params, st.netState, slots, st.optimizer.optimizer());
    }


    /** One Spark job: a synchronous step, or a local-SGD round of {@code steps} steps. */
    void runJob(TrainingState st, int h) {
      long t0 = System.nanoTime();
      RoundPlan plan = new RoundPlan(cfg, st.step + 1, h, stepsPerEpoch, sizes, st.lrScale, totalSteps);
      Broadcast<Snapshot> bc = sc.broadcast(snapshot(st));
      long tb = System.nanoTime();
      Partial total;
      try {
        sc.setJobDescription("sparkprop " + (outer == null ? "step " : "round at step ") + (st.step + 1));
        total = aggregate(data.mapPartitionsWithIndex(
            outer == null ? new Tasks.SyncStep(bc, plan, hook) : new Tasks.LocalRound(bc, plan, hook),
            true));
      } catch (Exception e) {                              // Spark's SparkException is checked
        RuntimeException u = SparkData.unwrap(e);
        if (u instanceof IllegalArgumentException) {
          throw u;
        }
        throw new IllegalStateException("the Spark job for step " + (st.step + 1) + " failed even "
            + "after Spark's retries (" + rootMessage(e) + "); training stopped with " + st.step
            + " steps applied" + (checkpoints == null ? "" : "; resume from the last checkpoint in "
            + checkpoints.store().location()), e);
      } finally {
        bc.destroy();
      }
      long t1 = System.nanoTime();
      if (outer == null) {
        applySyncStep(st, total);
      } else {
        applyRound(st, total, h);
      }
      long t2 = System.nanoTime();
      LOG.debug("job {}: {} steps, wall {} ms (broadcast {} ms, job {} ms, driver {} ms), task compute "
          + "{} s total", stats.jobs + 1, h, (t2 - t0) / 1_000_000, (tb - t0) / 1_000_000,
          (t1 - tb) / 1_000_000, (t2 - t1) / 1_000_000, total.computeSeconds);
      stats.jobs++;
      stats.wallSeconds += (t2 - t0) / 1e9;
      stats.driverSeconds += (t2 - t1) / 1e9;
      double meanCompute = total.tasks == 0 ? 0 : total.computeSeconds / Math.max(1, sizes.length);
      stats.taskComputeSeconds += meanCompute;
      lastTaskComputeSeconds = meanCompute;
      lastJobSeconds = (t2 - t0) / 1e9;
      lastRoundSteps = h;
    }

    Partial aggregate(JavaRDD<Partial> partials) {
      if (dist.orderedAggregation()) {
        Partial sum = new Partial();
        for (Partial p : partials.collect()) {                // partition order
          sum.merge(p);
        }
        return sum;
      }
      return partials.treeAggregate(new Partial(), Partial::merge, Partial::merge,
          dist.aggregationDepth());
    }

    void applySyncStep(TrainingState st, Partial total) {
      long t = st.step + 1;
      if (total.vector == null || total.sums.weightSum <= 0) {
        throw new IllegalArgumentException("step " + t + " found no rows with positive weight");
      }
      try {
        float[] g = total.vector;
        double sq = rule.prepare(st.params, g, total.sums.weightSum, 0, g.length);
        UpdateRule.checkFinite(t, total.sums.lossSum, sq);
        float[][] backup = null;
        if (cfg.skipOnDivergence()) {
          backup = new float[1 + st.optimizer.slotCount()][st.params.length];
          UpdateRule.save(st.params, st.optimizer, backup, 0, g.length);
        }
        if (!rule.apply(st.params, g, st.optimizer, t, rule.learningRate(t, st.lrScale),
            rule.clipScale(sq), 0, g.length)) {
          if (backup == null) {
            throw new DivergenceException(t, "the update produced non-finite weights", false);
          }
          UpdateRule.restore(st.params, st.optimizer, backup, 0, g.length);
          throw new DivergenceException(t, "the update produced non-finite weights");
        }
      } catch (DivergenceException e) {
        skipOrThrow(st, e, t);
        return;
      }
      if (total.state != null) {
        System.arraycopy(total.state, 0, st.netState, 0, st.netState.length);
      }
      st.step = t;
      epochSums.add(total.sums);
    }

    void applyRound(TrainingState st, Partial total, int steps) {
      long last = st.step + steps;
      if (total.divergedAt > 0) {
        skipOrThrow(st, new DivergenceException(total.divergedAt,
            "a task's local step met a non-finite loss or gradient"), last);
        return;
      }
      if (total.vector == null) {
        throw new IllegalArgumentException("round ending at step " + last + " found no rows");
      }
      float[] mean = total.vector;                           // Σ share_p · w_p
      float[] w = st.params;
      if (dist.outerOptimizer().equals("average") && dist.outerLearningRate() == 1.0) {
        System.arraycopy(mean, 0, w, 0, w.length);           // plain model averaging, exactly
      } else {
        float[] g = new float[w.length];                     // pseudo-gradient w − w̄
        for (int i = 0; i < w.length; i++) {
          g[i] = w[i] - mean[i];
        }
        long round = st.step / Math.max(1, steps) + 1;
        outer.update(w, g, st.outer, round, (float) dist.outerLearningRate(), 0, w.length);
      }
      for (float v : w) {
        if (!Float.isFinite(v)) {
          throw new DivergenceException(last, "the averaged weights are not finite", false);
        }
      }
      for (int k = 0; k < st.optimizer.slotCount(); k++) {
        System.arraycopy(total.inner[k], 0, st.optimizer.slot(k), 0, w.length);
      }
      if (total.state != null) {
        System.arraycopy(total.state, 0, st.netState, 0, st.netState.length);
      }
      st.step = last;
      epochSums.add(total.sums);
    }

    void skipOrThrow(TrainingState st, DivergenceException e, long lastStep) {
      if (!cfg.skipOnDivergence()) {
        throw e;
      }
      st.lrScale *= 0.5;
      st.skippedSteps += lastStep - st.step;
      st.step = lastStep;
      LOG.warn("{}; skipped, learning rate scale now {}", e.getMessage().split("\\.")[0], st.lrScale);
    }

    BatchSums evaluate(JavaRDD<Block> blocks, TrainingState st) {
      Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(st.params, st.netState, null, null));
      try {
        sc.setJobDescription("sparkprop evaluation at step " + st.step);
        return aggregate(blocks.mapPartitionsWithIndex(new Tasks.Evaluate(bc, cfg), true)).sums;
      } finally {
        bc.destroy();
      }
    }

    void save(TrainingState st, int h) {
      try {
        checkpoints.save(st, net, configMap(), fingerprint, Map.of("localSteps", h));
      } catch (IOException e) {
        throw new UncheckedIOException("could not write checkpoint: " + e.getMessage(), e);
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  /** Distributed evaluation of a trained model on blocks of unscaled data. */
  public static BatchSums evaluate(JavaSparkContext sc, Model model, JavaRDD<Block> blocks,
                                   TrainConfig config) {
    Scaler scaler = model.scaler();
    Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(model.params(), model.netState(), null, null));
    try {
      return blocks.map(scaler::apply).mapPartitionsWithIndex(new Tasks.Evaluate(bc, config), true)
          .treeAggregate(new Partial(), Partial::merge, Partial::merge, 2).sums;
    } finally {
      bc.destroy();
    }
  }
}
