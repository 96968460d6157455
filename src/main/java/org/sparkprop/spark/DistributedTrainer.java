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
  /** Rounds of the first epoch when H is chosen automatically (it is measured, then H is fixed). */
  static final int CALIBRATION_ROUNDS = 1;

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
    long setup0 = System.nanoTime();
    stats.reset();
    Network net = cfg.buildNetwork();
    net.checkTrainable();
    if (dist.partitions() > 0 && train.getNumPartitions() != dist.partitions()) {
      throw new IllegalArgumentException("the data has " + train.getNumPartitions()
          + " partitions but partitions=" + dist.partitions() + "; pack it with that many");
    }
    List<JavaRDD<Block>> persisted = new ArrayList<>();
    try {
      // The input is computed (read, packed, validated) once: persisted, then scanned for the
      // scaler's statistics, then scaled into the blocks training reads.
      TrainConfig c = cfg;                                   // captured by tasks: not `this`
      JavaRDD<Block> packed = train.map(b -> {
        if (b.rows() > 0) {
          org.sparkprop.data.Blocks.checkFits(b, c.buildNetwork(), "training data");
        }
        return b;
      }).setName("sparkprop packed training blocks");
      packed.persist(StorageLevel.MEMORY_AND_DISK());
      persisted.add(packed);
      Scaler.Stats stats0;
      try {
        stats0 = packed.map(b -> new Scaler.Stats().add(b))
            .treeReduce(Scaler.Stats::merge, dist.aggregationDepth());
      } catch (Exception e) {                            // Spark's SparkException is checked
        throw SparkData.unwrap(e);
      }
      Scaler scaler = stats0.toScaler(Scaler.Kind.parse(cfg.scaling()), net.inputSize());
      JavaRDD<Block> data = packed;
      if (scaler.kind() != Scaler.Kind.NONE) {
        data = packed.map(scaler::apply).setName("sparkprop training blocks");
        data.persist(StorageLevel.MEMORY_AND_DISK());
        persisted.add(data);
      }
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
        if (data != packed) {
          packed.unpersist(false);                       // the scaled copy is what training reads
        }
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
      stats.setupSeconds = (System.nanoTime() - setup0) / 1e9;
      return new Run(net, data, val, sizes, rows, scaler).train(resume);
    } finally {
      for (JavaRDD<Block> r : persisted) {
        r.unpersist(false);
      }
    }
  }

  /** Where the time of a run went, for logs and benchmarks. */
  public static final class RunStats {
    /** Seconds from fit() to the first step: validating, packing, caching, fitting the scaler. */
    public double setupSeconds;
    public long jobs;
    public double wallSeconds;
    /** Mean over partitions of the seconds tasks spent computing (forward, backward, local updates). */
    public double taskComputeSeconds;
    /** Seconds the driver spent in optimizer updates and averaging. */
    public double driverSeconds;
    public double jobOverheadMs = Double.NaN;
    public int localSteps;

    void reset() {
      setupSeconds = 0;
      jobs = 0;
      wallSeconds = 0;
      taskComputeSeconds = 0;
      driverSeconds = 0;
      jobOverheadMs = Double.NaN;
      localSteps = 0;
    }

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
        restoreEpochSums(st);                            // mid-epoch resume keeps the epoch's sums
        long epochEnd = (long) (epoch + 1) * stepsPerEpoch;
        long jobsInEpoch = 0;
        while (st.step < epochEnd) {
          int want = h > 0 ? h : (stepsPerEpoch + CALIBRATION_ROUNDS - 1) / CALIBRATION_ROUNDS;
          int steps = dist.mode() == SyncMode.SYNC ? 1 : (int) Math.min(want, epochEnd - st.step);
          runJob(st, steps);
          jobsInEpoch++;
          if (h == 0 && dist.mode() == SyncMode.LOCAL_SGD && st.step == epochEnd) {
            h = chooseLocalSteps();                        // after the calibration epoch
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
      @SuppressWarnings("unchecked")
      Map<String, Object> versions = (Map<String, Object>) provenance.get("versions");
      versions.put("spark", sc.version());
      Model model = new Model(net, (restore ? st.bestParams : st.params).clone(),
          (restore ? st.bestNetState : st.netState).clone(), scaler, classNames, provenance);
      TrainingResult result = new TrainingResult(model, List.copyOf(st.history), st.step, seconds,
          stopped, st.bestEpoch, st.skippedSteps);
      for (TrainingListener l : listeners) {
        l.onEnd(result);
      }
      return result;
    }

    /**
     * H for local SGD: given, saved in the checkpoint being resumed, or 0 while it is being
     * calibrated (then fixed, see {@link #chooseLocalSteps}).
     */
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
      return 0;
    }

    double lastSlowestTaskSeconds;
    double lastJobSeconds;
    int lastRoundSteps;

    /**
     * Fixes H at the end of the first epoch, which runs as {@link #CALIBRATION_ROUNDS} round(s)
     * and is measured: Spark's fixed cost is the round's wall time minus its slowest task's compute, and keeping it at most {@code overheadTarget} (f) of a
     * job, overhead ≤ f·(overhead + H·step), needs H ≥ overhead·(1 − f) / (f·step). H is then
     * rounded up to a power-of-two fraction of an epoch (S, S/2, S/4, ...: equal rounds, and a
     * choice that small timing noise rarely changes) and kept for the rest of the run and in its
     * checkpoints.
     */
    int chooseLocalSteps() {
      double stepSeconds = lastSlowestTaskSeconds / Math.max(1, lastRoundSteps);
      double overhead = Math.max(0, lastJobSeconds - lastSlowestTaskSeconds);
      double f = dist.overheadTarget();
      double needed = overhead * (1 - f) / (f * Math.max(stepSeconds, 1e-6));
      int rounds = 1;
      while ((stepsPerEpoch + 2 * rounds - 1) / (2 * rounds) >= needed && 2 * rounds <= stepsPerEpoch) {
        rounds *= 2;
      }
      int h = (stepsPerEpoch + rounds - 1) / rounds;
      stats.jobOverheadMs = overhead * 1000;
      LOG.info("local SGD: job overhead {} ms, {} ms per local step -> H = {} steps per round, "
          + "{} round(s) per epoch (overhead <= {}%)", String.format("%.1f", overhead * 1000),
          String.format("%.2f", stepSeconds * 1000), h, rounds, Math.round(f * 100));
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
      double meanCompute = total.computeSeconds / Math.max(1, total.busyTasks);
      stats.taskComputeSeconds += meanCompute;
      lastSlowestTaskSeconds = total.maxComputeSeconds;
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
        st.step = t;                                       // all-zero sample weights: no update
        return;
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
        outer.update(w, g, st.outer, st.rounds + 1, (float) dist.outerLearningRate(), 0, w.length);
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
      st.rounds++;
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

    /**
     * Starts an epoch's running sums: from zero, or, when resuming in the middle of an epoch, from
     * those the checkpoint saved (so the epoch reports what an uninterrupted run would).
     */
    void restoreEpochSums(TrainingState st) {
      epochSums.reset();
      boolean midEpoch = st.step % stepsPerEpoch != 0;
      if (midEpoch && st.extras.get("epochLossSum") instanceof Number loss) {
        epochSums.lossSum = loss.doubleValue();
        epochSums.weightSum = ((Number) st.extras.get("epochWeightSum")).doubleValue();
        epochSums.rows = ((Number) st.extras.get("epochRows")).longValue();
        epochSums.correctWeight = ((Number) st.extras.get("epochCorrectWeight")).doubleValue();
      }
      st.extras.remove("epochLossSum");
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
      Map<String, Object> extras = new LinkedHashMap<>();
      extras.put("localSteps", h);
      extras.put("epochLossSum", epochSums.lossSum);
      extras.put("epochWeightSum", epochSums.weightSum);
      extras.put("epochRows", epochSums.rows);
      extras.put("epochCorrectWeight", epochSums.correctWeight);
      try {
        checkpoints.save(st, net, configMap(), fingerprint, extras);
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
    return evaluate(sc, model, blocks, config, 2);
  }

  /** As above, with the treeAggregate depth. */
  public static BatchSums evaluate(JavaSparkContext sc, Model model, JavaRDD<Block> blocks,
                                   TrainConfig config, int depth) {
    Scaler scaler = model.scaler();
    Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(model.params(), model.netState(), null, null));
    try {
      return blocks.map(scaler::apply).mapPartitionsWithIndex(new Tasks.Evaluate(bc, config), true)
          .treeAggregate(new Partial(), Partial::merge, Partial::merge, depth).sums;
    } finally {
      bc.destroy();
    }
  }
}
