package org.sparkprop.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Augmentation;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.optim.Optimizer;

/**
 * One run of {@link LocalTrainer}: its threads, workers and buffers, released at the end. The
 * epochs loop, one step's phases A, B, C (see {@link LocalTrainer}), evaluation and the full-batch
 * solvers' objective.
 */
final class LocalRun implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

  /** The trainer's settings a run reads. */
  record Settings(TrainConfig cfg, List<TrainingListener> listeners, Augmentation augmentation,
                  Checkpoints checkpoints, int checkpointEveryEpochs, List<String> classNames,
                  String dataSource) {}

  private final TrainConfig cfg;
  private final List<TrainingListener> listeners;
  private final Augmentation augmentation;
  private final Checkpoints checkpoints;
  private final int checkpointEveryEpochs;
  private final List<String> classNames;
  private final String dataSource;
  /** The unscaled data's identity, saved with every checkpoint. */
  private final Map<String, Object> fingerprint;

  final Network net;
  final List<Block> shards;
  final Block validation;
  final long rows;
  final int threads;
  final int stepsPerEpoch;
  final UpdateRule rule;
  final org.sparkprop.nn.Penalty penalty;
  final Optimizer optimizer;
  final ParallelRunner runner;
  final GradientWorker[] workers;
  final Evaluator[] evaluators;
  final float[][] stateCopies;
  final int[][] perms;
  final int[][] identities;
  final double[] partialSq;
  final boolean[] finite;
  /** onDivergence=skip only: weights and optimizer state before the current update. */
  float[][] backup;
  final BatchSums epochSums = new BatchSums();

  LocalRun(Settings settings, Network net, List<Block> shards, Block validation, long rows,
           Map<String, Object> fingerprint) {
    this.cfg = settings.cfg();
    this.listeners = settings.listeners();
    this.augmentation = settings.augmentation();
    this.checkpoints = settings.checkpoints();
    this.checkpointEveryEpochs = settings.checkpointEveryEpochs();
    this.classNames = settings.classNames();
    this.dataSource = settings.dataSource();
    this.fingerprint = fingerprint;
    this.net = net;
    this.shards = shards;
    this.validation = validation;
    this.rows = rows;
    this.threads = cfg.threads();
    this.stepsPerEpoch = EpochPlan.stepsPerEpoch(
        shards.stream().mapToInt(Block::rows).toArray(), cfg.batchSize());
    this.optimizer = cfg.buildOptimizer();
    this.penalty = cfg.buildPenalty();
    this.rule = new UpdateRule(optimizer, cfg.buildSchedule((long) stepsPerEpoch * cfg.plannedEpochs(stepsPerEpoch)),
        penalty, cfg.clipNorm(), net.segments());
    this.runner = new ParallelRunner(threads, "sparkprop-trainer");
    int micro = Math.min(cfg.microBatch(), Math.max(1, (int) Math.min(rows, Integer.MAX_VALUE)));
    this.workers = new GradientWorker[threads];
    this.evaluators = new Evaluator[threads];
    this.stateCopies = new float[threads][];
    for (int k = 0; k < threads; k++) {
      workers[k] = new GradientWorker(net, micro);
      evaluators[k] = new Evaluator(net, 256);
      stateCopies[k] = net.initState();
    }
    this.perms = new int[shards.size()][];
    for (int p = 0; p < shards.size(); p++) {
      perms[p] = new int[shards.get(p).rows()];
    }
    this.partialSq = new double[threads];
    this.finite = new boolean[threads];
    this.bounds = new int[shards.size() + 1];
    this.identities = new int[shards.size()][];
  }

  TrainingState freshState() {
    float[] params = net.initParams(cfg.buildInit(), cfg.seed());
    if (checkpoints != null) {
      try {
        checkpoints.prepareFresh(false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new TrainingState(params, net.initState(), optimizer.init(net.paramCount()));
  }

  TrainingResult train(TrainingState st, Scaler scaler) {
    if (cfg.usesFullBatchSolver()) {
      return trainFullBatch(st, scaler);
    }
    int epochs = cfg.plannedEpochs(stepsPerEpoch);
    for (TrainingListener l : listeners) {
      l.onStart(epochs, stepsPerEpoch, rows);
    }
    long t0 = System.nanoTime();
    double priorSeconds = st.history.isEmpty() ? 0 : st.history.get(st.history.size() - 1).elapsedSeconds();
    int startEpoch = st.epoch(stepsPerEpoch);
    boolean stoppedEarly = st.stopped;
    for (int epoch = startEpoch; epoch < epochs && !stoppedEarly; epoch++) {
      long e0 = System.nanoTime();
      epochSums.reset();
      for (int p = 0; p < shards.size(); p++) {
        EpochPlan.permutation(cfg.seed(), epoch, p, cfg.shuffle(), perms[p], perms[p].length);
      }
      int firstStep = (int) (st.step - (long) epoch * stepsPerEpoch);
      for (int s = firstStep; s < stepsPerEpoch; s++) {
        step(st, epoch, s);
        for (TrainingListener l : listeners) {
          l.onProgress(epoch + 1, s + 1, stepsPerEpoch);
        }
      }
      double epochSeconds = (System.nanoTime() - e0) / 1e9;
      BatchSums valSums = validation == null ? null : evaluate(st, validation);
      double lr = rule.learningRate(Math.max(1, st.step), st.lrScale);
      EpochMetrics m = new EpochMetrics(epoch + 1, st.step, epochSums.meanLoss(),
          Evaluator.metric(net, epochSums),
          valSums == null ? Double.NaN : valSums.meanLoss(),
          valSums == null ? Double.NaN : Evaluator.metric(net, valSums),
          Evaluator.metricName(net), lr, epochSums.rows / epochSeconds, epochSeconds,
          priorSeconds + (System.nanoTime() - t0) / 1e9);
      st.history.add(m);
      double monitored = valSums == null ? m.trainLoss() : m.validationLoss();
      if (st.observe(monitored, epoch + 1, cfg.patience(), cfg.minDelta(),
        st.step >= cfg.minSteps())) {
        stoppedEarly = true;
        st.stopped = true;
        LOG.info("early stopping after epoch {}: no improvement over {} epochs (best epoch {})",
            epoch + 1, cfg.patience(), st.bestEpoch);
      }
      if (checkpoints != null && ((epoch + 1) % checkpointEveryEpochs == 0 || stoppedEarly
          || epoch + 1 == epochs)) {
        try {
          checkpoints.save(st, net, cfg.toMap(), fingerprint);
        } catch (IOException e) {
          throw new UncheckedIOException("could not write checkpoint: " + e.getMessage(), e);
        }
      }
      for (TrainingListener l : listeners) {
        l.onEpoch(m);
      }
    }
    double seconds = priorSeconds + (System.nanoTime() - t0) / 1e9;
    return finish(st, scaler, seconds, stoppedEarly);
  }

  TrainingResult finish(TrainingState st, Scaler scaler, double seconds, boolean stoppedEarly) {
    boolean restore = cfg.patience() > 0 && cfg.restoreBest() && st.bestParams != null;
    float[] params = restore ? st.bestParams : st.params;
    float[] netState = restore ? st.bestNetState : st.netState;
    Map<String, Object> provenance = Provenance.of(cfg.toMap(), dataSource, "local", st.history);
    Model model = new Model(net, params.clone(), netState.clone(), scaler, classNames, provenance);
    TrainingResult result = new TrainingResult(model, List.copyOf(st.history), st.step, seconds,
        stoppedEarly, st.bestEpoch, st.skippedSteps);
    for (TrainingListener l : listeners) {
      l.onEnd(result);
    }
    return result;
  }

  /**
   * Full-batch solvers: L-BFGS (one history entry per iteration) or random search (one per
   * trial is too many to report: a single entry for the best trial).
   */
  TrainingResult trainFullBatch(TrainingState st, Scaler scaler) {
    long t0 = System.nanoTime();
    for (TrainingListener l : listeners) {
      l.onStart(cfg.epochs(), 1, rows);
    }
    if (cfg.optimizer().equals(TrainConfig.RANDOM_SEARCH)) {
      org.sparkprop.optim.RandomSearch.Result r = cfg.buildRandomSearch().search(
          (w, g) -> fullBatch(w, null).meanLoss() + penaltyValue(w), net.paramCount(), cfg.seed());
      System.arraycopy(r.weights(), 0, st.params, 0, st.params.length);
      st.step = cfg.epochs();
      recordFullBatch(st, 1, t0);
    } else {
      float[] w0 = st.params.clone();
      org.sparkprop.optim.Lbfgs.Result r = cfg.buildLbfgs().minimize(
          (w, g) -> {
            BatchSums s = fullBatch(w, g);
            return s.meanLoss() + penaltyValue(w);
          },
          w0, iteration -> {
            st.step = iteration;
            for (TrainingListener l : listeners) {
              l.onProgress(iteration, 1, 1);
            }
          });
      System.arraycopy(r.weights(), 0, st.params, 0, st.params.length);
      st.step = r.iterations();
      recordFullBatch(st, r.iterations(), t0);
    }
    return finish(st, scaler, (System.nanoTime() - t0) / 1e9, false);
  }

  private double penaltyValue(float[] w) {
    return penalty.value(w, net.segments());
  }

  private void recordFullBatch(TrainingState st, int iterations, long t0) {
    BatchSums train = evaluateAll(st);
    BatchSums val = validation == null ? null : evaluate(st, validation);
    double seconds = (System.nanoTime() - t0) / 1e9;
    EpochMetrics m = new EpochMetrics(iterations, st.step, train.meanLoss(),
        Evaluator.metric(net, train), val == null ? Double.NaN : val.meanLoss(),
        val == null ? Double.NaN : Evaluator.metric(net, val), Evaluator.metricName(net), 0,
        rows * (double) iterations / seconds, seconds, seconds);
    st.history.add(m);
    for (TrainingListener l : listeners) {
      l.onEpoch(m);
    }
  }

  private BatchSums evaluateAll(TrainingState st) {
    BatchSums total = new BatchSums();
    for (Block b : shards) {
      total.add(evaluate(st, b));
    }
    return total;
  }

  /**
   * Sums over all training rows at weights {@code w}; with {@code g} non-null also writes the mean
   * gradient plus penalty gradient into it (inference-mode loss only when g is null).
   */
  BatchSums fullBatch(float[] w, float[] g) {
    if (g == null) {
      BatchSums total = new BatchSums();
      float[] state = net.initState();
      for (Block b : shards) {
        TrainingState tmp = new TrainingState(w, state, null);
        total.add(evaluate(tmp, b));
      }
      return total;
    }
    runner.run(k -> {
      GradientWorker wk = workers[k];
      wk.reset();
      for (int p = 0; p < shards.size(); p++) {
        Block b = shards.get(p);
        int lo = (int) ((long) k * b.rows() / threads);
        int hi = (int) ((long) (k + 1) * b.rows() / threads);
        wk.accumulate(b, identity(p), lo, hi, w, stateCopies[k], 0L, null);
      }
    });
    BatchSums total = new BatchSums();
    for (GradientWorker wk : workers) {
      total.add(wk.sums());
    }
    float[] g0 = workers[0].grad();
    for (int j = 1; j < threads; j++) {
      float[] gj = workers[j].grad();
      for (int i = 0; i < g0.length; i++) {
        g0[i] += gj[i];
      }
    }
    rule.prepare(w, g0, total.weightSum, 0, g0.length);
    System.arraycopy(g0, 0, g, 0, g.length);
    return total;
  }

  private int[] identity(int p) {
    if (identities[p] == null) {
      identities[p] = Blocks.identity(shards.get(p).rows());
    }
    return identities[p];
  }

  /**
   * What the phases of the current step work on. Set by {@link #step} before each phase, read by
   * the prebuilt phase functions, so that a step allocates nothing.
   */
  TrainingState cur;
  long curT;
  int curS;
  int curTotal;
  double curWeightSum;
  float curLr;
  float curScale;
  final int[] bounds;                                    // prefix sums of the step's rows per shard
  final java.util.function.IntConsumer gradients = this::gradientsOf;
  final java.util.function.IntConsumer reduce = this::reduceOf;
  final java.util.function.IntConsumer update = this::updateOf;
  final java.util.function.IntConsumer rollback = this::rollbackOf;

  /** A: each thread's share of the batch → its gradient, loss and batch-norm statistics. */
  void gradientsOf(int k) {
    GradientWorker w = workers[k];
    w.reset();
    System.arraycopy(cur.netState, 0, stateCopies[k], 0, cur.netState.length);
    int lo = (int) ((long) k * curTotal / threads);
    int hi = (int) ((long) (k + 1) * curTotal / threads);
    for (int p = 0; p < shards.size(); p++) {
      int from = Math.max(lo, bounds[p]);
      int to = Math.min(hi, bounds[p + 1]);
      if (from < to) {
        int base = EpochPlan.chunkStart(shards.get(p).rows(), curS, stepsPerEpoch) - bounds[p];
        long noise = EpochPlan.noiseSeed(cfg.seed(), curT, p, from - bounds[p]);
        w.accumulate(shards.get(p), perms[p], base + from, base + to, cur.params, stateCopies[k],
            noise, augmentation);
      }
    }
  }

  /** B: over each thread's slice of the parameters, Σ of the threads' gradients, mean, penalty, ‖·‖². */
  void reduceOf(int k) {
    float[] g = workers[0].grad();
    int from = (int) ((long) k * g.length / threads);
    int to = (int) ((long) (k + 1) * g.length / threads);
    for (int j = 1; j < threads; j++) {
      float[] gj = workers[j].grad();
      for (int i = from; i < to; i++) {
        g[i] += gj[i];
      }
    }
    partialSq[k] = rule.prepare(cur.params, g, curWeightSum, from, to);
  }

  /** C: clip and update each slice (saving it first when a divergent step may be rolled back). */
  void updateOf(int k) {
    float[] g = workers[0].grad();
    int from = (int) ((long) k * g.length / threads);
    int to = (int) ((long) (k + 1) * g.length / threads);
    if (backup != null) {
      UpdateRule.save(cur.params, cur.optimizer, backup, from, to);
    }
    finite[k] = rule.apply(cur.params, g, cur.optimizer, curT - cur.skippedSteps, curLr, curScale,
        from, to);
  }

  /** Undoes C (onDivergence=skip). */
  void rollbackOf(int k) {
    int n = cur.params.length;
    UpdateRule.restore(cur.params, cur.optimizer, backup, (int) ((long) k * n / threads),
        (int) ((long) (k + 1) * n / threads));
  }

  /** One update: phases A, B, C of the class comment. */
  void step(TrainingState st, int epoch, int s) {
    long t = st.step + 1;
    for (int p = 0; p < shards.size(); p++) {
      int n = shards.get(p).rows();
      bounds[p + 1] = bounds[p] + EpochPlan.chunkStart(n, s + 1, stepsPerEpoch)
          - EpochPlan.chunkStart(n, s, stepsPerEpoch);
    }
    cur = st;
    curT = t;
    curS = s;
    curTotal = bounds[shards.size()];
    runner.run(gradients);
    double lossSum = 0;
    double weightSum = 0;
    for (GradientWorker w : workers) {
      lossSum += w.sums().lossSum;
      weightSum += w.sums().weightSum;
    }
    if (weightSum <= 0) {
      st.step = t;                                       // all-zero sample weights: no update
      return;
    }
    curWeightSum = weightSum;
    runner.run(reduce);
    double sq = 0;
    for (double v : partialSq) {
      sq += v;
    }
    try {
      UpdateRule.checkFinite(t, lossSum, sq);
    } catch (DivergenceException e) {
      if (!cfg.skipOnDivergence()) {
        throw e;
      }
      st.lrScale *= 0.5;
      st.skippedSteps++;
      st.step = t;                                       // the step is consumed, not applied
      LOG.warn("step {} skipped ({}); learning rate scale now {}", t,
          Double.isFinite(lossSum) ? "non-finite gradient" : "non-finite loss", st.lrScale);
      return;
    }
    curScale = rule.clipScale(sq);
    curLr = rule.learningRate(t, st.lrScale);
    if (cfg.skipOnDivergence() && backup == null) {
      backup = new float[1 + st.optimizer.slotCount()][st.params.length];
    }
    runner.run(update);
    boolean allFinite = true;
    for (boolean f : finite) {
      allFinite &= f;
    }
    if (!allFinite) {
      if (backup == null) {
        throw new DivergenceException(t, "the update produced non-finite weights", false);
      }
      runner.run(rollback);
      st.lrScale *= 0.5;
      st.skippedSteps++;
      st.step = t;
      LOG.warn("step {} skipped (the update overflowed); learning rate scale now {}", t, st.lrScale);
      return;
    }
    if (st.netState.length > 0) {                        // average replicas' running statistics
      float[] avg = st.netState;
      java.util.Arrays.fill(avg, 0f);
      for (int k = 0; k < threads; k++) {
        float share = (float) (workers[k].sums().rows / (double) curTotal);
        for (int i = 0; i < avg.length; i++) {
          avg[i] += share * stateCopies[k][i];
        }
      }
    }
    st.step = t;
    for (GradientWorker w : workers) {
      epochSums.add(w.sums());
    }
  }

  BatchSums evaluate(TrainingState st, Block data) {
    BatchSums[] parts = new BatchSums[threads];
    runner.run(k -> {
      parts[k] = new BatchSums();
      int lo = (int) ((long) k * data.rows() / threads);
      int hi = (int) ((long) (k + 1) * data.rows() / threads);
      evaluators[k].evaluate(st.params, st.netState, data, lo, hi, parts[k]);
    });
    BatchSums total = new BatchSums();
    for (BatchSums p : parts) {
      total.add(p);
    }
    return total;
  }

  @Override
  public void close() {
    runner.close();
  }
}
