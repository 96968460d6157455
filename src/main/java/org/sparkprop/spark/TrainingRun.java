package org.sparkprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Scaler;
import org.sparkprop.linalg.FloatArrays;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.OptimizerState;
import org.sparkprop.optim.Optimizer;
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
 * One training run on Spark, from the first step to the model: the driver's loop over jobs, the
 * updates it applies (a synchronous step, or the outer step of a local-SGD round), the epoch's
 * metrics, early stopping, checkpoints. {@link DistributedTrainer} prepares the data and starts it.
 *
 * <pre>
 *   per job    broadcast a fresh snapshot (weights, batch-norm state[, inner optimizer state])
 *              tasks: a synchronous step's gradient sums, or H local steps (see {@link Tasks})
 *              aggregate the partials; destroy the broadcast
 *   sync       g = Σgrad/Σw (+ penalty, clipping), finite check, optimizer, schedule
 *   local SGD  w̄ = Σ_r share_r·w_r; outer optimizer on the pseudo-gradient w − w̄
 * </pre>
 */
final class TrainingRun {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  final JavaSparkContext sc;
  /** The engine's config, with the learning-rate rule applied (synchronous mode). */
  final TrainConfig cfg;
  final SparkTrainConfig dist;
  final Network net;
  /** One block per replica, cached. */
  final JavaRDD<Block> data;
  final JavaRDD<Block> validation;
  /** Rows of every replica. */
  final int[] sizes;
  final long rows;
  final Scaler scaler;
  final int stepsPerEpoch;
  final long totalSteps;
  final Optimizer optimizer;
  final UpdateRule rule;
  final Optimizer outer;
  final LocalStepsPolicy localSteps;
  final Checkpoints checkpoints;
  final Map<String, Object> fingerprint;
  final BatchSums epochSums = new BatchSums();
  final RunStats stats;
  final List<TrainingListener> listeners;
  final TaskHook hook;
  List<String> classNames;
  String dataSource = "spark";

  /**
   * @param base the user's engine config; the learning-rate rule for the global batch of
   *     {@code sizes.length} replicas is applied here
   */
  TrainingRun(JavaSparkContext sc, TrainConfig base, SparkTrainConfig dist, Network net,
              JavaRDD<Block> data, JavaRDD<Block> validation, int[] sizes, long rows, Scaler scaler,
              RunStats stats, List<TrainingListener> listeners, TaskHook hook) {
    this.sc = sc;
    this.dist = dist;
    this.net = net;
    this.data = data;
    this.validation = validation;
    this.sizes = sizes;
    this.rows = rows;
    this.scaler = scaler;
    this.stats = stats;
    this.listeners = listeners;
    this.hook = hook;
    int globalBatch = base.batchSize() <= 0 ? 0 : base.batchSize() * sizes.length;
    this.stepsPerEpoch = EpochPlan.stepsPerEpoch(sizes, globalBatch);
    this.totalSteps = (long) stepsPerEpoch * base.plannedEpochs(stepsPerEpoch);
    LearningRateRule lr = LearningRateRule.of(dist, base, sizes.length, stepsPerEpoch, totalSteps);
    if (lr.factor() != 1) {
      LOG.info("synchronous steps of {} replicas x {} rows: learning rate x {} ({} rule), warm-up "
          + "over {} steps", sizes.length, base.batchSize(), String.format("%.3f", lr.factor()),
          lr.scaling(), lr.warmupSteps());
    }
    this.cfg = lr.apply(base);
    this.optimizer = cfg.buildOptimizer();
    this.rule = new UpdateRule(optimizer, cfg.buildSchedule(totalSteps), cfg.buildPenalty(),
        cfg.clipNorm(), net.segments());
    this.outer = dist.mode() == SyncMode.LOCAL_SGD ? dist.buildOuterOptimizer() : null;
    this.localSteps = new LocalStepsPolicy(dist, stepsPerEpoch, sizes.length, stats.slots);
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
      if (checkpoints == null) {
        throw new IOException("no checkpoint to resume from (no checkpointDir set)");
      }
      TrainingState st = checkpoints.loadNewestIntact(net, optimizer, outer, configMap(), fingerprint);
      LOG.info("resuming from {} at step {}", checkpoints.store().location(), st.step);
      return st;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  TrainingResult train(boolean resume) {
    TrainingState st = resume ? resumed() : fresh();
    for (TrainingListener l : listeners) {
      l.onStart(cfg.plannedEpochs(stepsPerEpoch), stepsPerEpoch, rows);
    }
    int h = localSteps.resolve(st);
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
      boolean postLocalSyncPhase = dist.mode() == SyncMode.LOCAL_SGD && epoch < dist.syncEpochs();
      while (st.step < epochEnd) {
        int want = h > 0 ? h : localSteps.calibrationRoundSteps();
        int steps = dist.mode() == SyncMode.SYNC ? 1 : (int) Math.min(want, epochEnd - st.step);
        if (postLocalSyncPhase) {
          runStage(st, (int) (epochEnd - st.step));      // post-local SGD: all-reduced steps first
        } else {
          runJob(st, steps);
        }
        jobsInEpoch++;
        if (h == 0 && st.step == epochEnd && !postLocalSyncPhase) {
          h = localSteps.choose(last);                   // after the calibration epoch
          stats.localSteps = h;
          stats.jobOverheadMs = last.overheadSeconds(stats.slots) * 1000;
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
      if (st.observe(monitored, epoch + 1, cfg.patience(), cfg.minDelta(),
          st.step >= cfg.minSteps())) {
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

  /** The timing of the last job, for the calibration of H. */
  LocalStepsPolicy.JobTiming last;

  Snapshot snapshot(TrainingState st) {
    if (outer == null) {                                   // sync steps: the optimizer stays here
      return new Snapshot(st.params, st.netState, null, null);
    }
    float[][] slots = new float[st.optimizer.slotCount()][];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = st.optimizer.slot(k);
    }
    return new Snapshot(st.params, st.netState, slots, st.optimizer.optimizer());
  }


  /** One Spark job: a synchronous step, a local-SGD round or an allreduce stage of {@code h} steps. */
  void runJob(TrainingState st, int h) {
    if (dist.mode() == SyncMode.ALLREDUCE) {
      runStage(st, h);
      return;
    }
    long t0 = System.nanoTime();
    RoundPlan plan = new RoundPlan(cfg, st.step + 1, h, stepsPerEpoch, sizes, st.lrScale,
        st.skippedSteps, totalSteps, dist.streamWindowRows());
    Broadcast<Snapshot> bc = sc.broadcast(snapshot(st));
    long tb = System.nanoTime();
    Partial total;
    try {
      sc.setJobDescription("sparkprop " + (outer == null ? "step " : "round at step ") + (st.step + 1));
      total = aggregate(data.mapPartitionsWithIndex(
          outer == null ? new Tasks.SyncStep(bc, plan, hook) : new Tasks.LocalRound(bc, plan, hook),
          true));
    } catch (Exception e) {                              // Spark's SparkException is checked
      throw jobFailed(e, st, "the Spark job for step " + (st.step + 1));
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
        + "{} s total, slowest task {} s", stats.jobs + 1, h, (t2 - t0) / 1_000_000,
        (tb - t0) / 1_000_000, (t1 - tb) / 1_000_000, (t2 - t1) / 1_000_000, total.computeSeconds,
        total.maxComputeSeconds);
    stats.jobs++;
    stats.wallSeconds += (t2 - t0) / 1e9;
    stats.driverSeconds += (t2 - t1) / 1e9;
    stats.taskComputeSeconds += total.computeSeconds / Math.max(1, total.busyTasks);
    stats.totalTaskSeconds += total.computeSeconds;
    stats.rowsTrained += total.sums.rows;
    last = new LocalStepsPolicy.JobTiming((t2 - t0) / 1e9, total.maxComputeSeconds,
        total.computeSeconds, total.busyTasks, h);
  }

  /** One barrier stage of {@code steps} all-reduced steps ({@link AllReduceStage#runOnDriver}). */
  void runStage(TrainingState st, int steps) {
    AllReduceStage.runOnDriver(this, st, steps);
  }

  /**
   * A job that failed even after Spark's retries: bad data keeps its own message; anything else
   * says what failed, how many steps were applied and where to resume from.
   */
  RuntimeException jobFailed(Exception e, TrainingState st, String what) {
    RuntimeException u = SparkData.unwrap(e);
    if (u instanceof IllegalArgumentException) {
      return u;
    }
    return new IllegalStateException(what + " failed even after Spark's retries (" + rootMessage(e)
        + "); training stopped with " + st.step + " steps applied" + (checkpoints == null ? ""
        : "; resume from the last checkpoint in " + checkpoints.store().location()), e);
  }

  /** The address the driver's sockets bind to: Spark's own driver host. */
  String driverHost() {
    return sc.getConf().get("spark.driver.host", "127.0.0.1");
  }

  Partial aggregate(JavaRDD<Partial> partials) {
    if (dist.orderedAggregation()) {
      return FixedTree.sum(partials);                       // an order fixed by partition index
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
      SyncUpdate.apply(rule, st.params, total.vector, total.sums, st.optimizer, t, st.skippedSteps,
          st.lrScale,
          cfg.skipOnDivergence());
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
    boolean finite = FloatArrays.allFinite(mean, 0, mean.length);
    for (int k = 0; finite && k < st.optimizer.slotCount(); k++) {
      finite = FloatArrays.allFinite(total.inner[k], 0, total.inner[k].length);
    }
    if (!finite) {                                         // nothing changed yet: skip or stop
      skipOrThrow(st, new DivergenceException(last, "the averaged weights or optimizer state "
          + "are not finite"), last);
      return;
    }
    float[] w = st.params;
    float[] before = w.clone();                            // the outer step may still overflow
    OptimizerState outerBefore = st.outer == null ? null : st.outer.copy();
    OuterStep.apply(w, mean, outer, st.outer, st.rounds + 1, dist.outerLearningRate(),
        dist.plainAveraging() || sizes.length == 1);     // one replica: its weights, as they are
    if (!FloatArrays.allFinite(w, 0, w.length)) {
      System.arraycopy(before, 0, w, 0, w.length);
      if (outerBefore != null) {
        for (int k = 0; k < outerBefore.slotCount(); k++) {
          System.arraycopy(outerBefore.slot(k), 0, st.outer.slot(k), 0, w.length);
        }
      }
      skipOrThrow(st, new DivergenceException(last, "the outer step made the weights non-finite"),
          last);
      return;
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
    } catch (Exception e) {                                // Spark's SparkException is checked
      throw SparkData.unwrap(e);                           // bad data keeps its own message
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

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
