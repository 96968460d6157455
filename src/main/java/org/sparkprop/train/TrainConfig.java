package org.sparkprop.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Init;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.NetworkSpec;
import org.sparkprop.nn.Penalty;
import org.sparkprop.optim.Lbfgs;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.RandomSearch;
import org.sparkprop.optim.Optimizers;
import org.sparkprop.optim.Schedule;

/**
 * Everything that defines a training run of the engine, validated when built. The same config
 * drives the local trainer and the Spark trainer (which adds its own distribution settings), is
 * written into every saved model and checkpoint, and is what the command line's config files set.
 *
 * <p>The builder's defaults are the engine's plain ones: He init, Adam at 1e-3, batch 128, no
 * penalty, exactly 10 epochs. The user-facing defaults (the command line's sparkprop-defaults.conf
 * and the Spark ML params) add the converging budget: patience 10, minDelta 1e-4, minSteps 1000,
 * at most 200 epochs, automatic validation split.
 *
 * @param network network spec, e.g. {@code 784-256relu-128relu-10} (see {@link NetworkSpec})
 * @param loss cross_entropy, logistic, hinge, perceptron or squared
 * @param init weight initialisation (see {@link Init})
 * @param seed root of every random stream (init, shuffling, dropout, augmentation, splits)
 * @param optimizer sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw; or the full-batch
 *     solvers lbfgs (epochs = iterations; params memory, tolerance) and random_search (epochs =
 *     trials; param scale)
 * @param optimizerParams the optimizer's hyper-parameters (momentum, rho, beta1, beta2, eps, weight_decay)
 * @param learningRate base learning rate η0
 * @param schedule learning-rate schedule around η0 (see {@link Schedule#parse})
 * @param penalty none, l2(λ), l1(λ) or elasticnet(λ,α)
 * @param clipNorm clip the gradient to this global norm; 0 = off
 * @param batchSize rows per step (global, across threads and partitions); 0 = full batch
 * @param epochs the most passes over the training data (the cap; early stopping may end sooner)
 * @param minSteps with early stopping on, the fewest optimizer steps: small data gets more epochs
 *     to reach them, and early stopping waits for them; 0 = none
 * @param threads threads the local trainer uses (Spark uses partitions instead)
 * @param validationFraction share of the training rows held out for validation; 0 = none;
 *     −1 = automatic: {@link #AUTO_VALIDATION_SHARE} once the data has {@link #AUTO_VALIDATION_ROWS}
 *     rows and early stopping is on, else none ({@link #validationShare})
 * @param patience early stopping after this many epochs without improvement; 0 = off
 * @param minDelta the smallest change that counts as an improvement
 * @param restoreBest at the end of early stopping, return the best epoch's weights
 * @param onDivergence "stop" (default) or "skip" (skip the step and halve the learning rate)
 * @param microBatch rows per forward/backward pass inside a worker (bounds memory; 256)
 * @param shuffle reshuffle every epoch (true), or keep the data order
 * @param scaling feature scaling fitted on the training rows: none, minmax, standard
 */
public record TrainConfig(
    String network, String loss, String init, long seed,
    String optimizer, Map<String, Double> optimizerParams, double learningRate, String schedule,
    String penalty, double clipNorm, int batchSize, int epochs, int minSteps, int threads,
    double validationFraction, int patience, double minDelta, boolean restoreBest,
    String onDivergence, int microBatch, boolean shuffle, String scaling)
    implements java.io.Serializable {

  public TrainConfig {
    optimizer = optimizer.trim().toLowerCase(Locale.ROOT);
    optimizerParams = Map.copyOf(optimizerParams);
    NetworkSpec spec = NetworkSpec.parse(network);
    if (isFullBatchSolver(optimizer) && spec.blocks().stream()
        .anyMatch(b -> b.batchNorm() || b.dropout() > 0)) {
      throw new IllegalArgumentException(optimizer + " minimises a deterministic full-batch "
          + "objective: remove +bn and +dropout from the network, or use a first-order optimizer");
    }
    Init.parse(init);
    Penalty pen = Penalty.parse(penalty);
    if (optimizer.equals(LBFGS) && pen.l1() > 0) {
      throw new IllegalArgumentException("lbfgs needs a smooth objective, and penalty '" + penalty
          + "' has an L1 part (|θ| has no gradient at 0, so its line search fails or stalls): use "
          + "penalty = l2(λ) with lbfgs, or a first-order optimizer (sgd, adam, …) for l1 and "
          + "elasticnet");
    }
    if (!isFullBatchSolver(optimizer)) {
      Optimizers.create(optimizer, optimizerParams);
    } else if (optimizer.equals(RANDOM_SEARCH)) {
      randomSearch(optimizerParams, epochs);
    } else {
      if (!optimizerParams.keySet().stream().allMatch(k -> k.equals("memory") || k.equals("tolerance"))) {
        throw new IllegalArgumentException("lbfgs takes memory and tolerance, got "
            + optimizerParams.keySet());
      }
      double memory = optimizerParams.getOrDefault("memory", 10.0);
      if (!(memory >= 1 && memory <= 1000 && memory == Math.rint(memory))) {
        throw new IllegalArgumentException("lbfgs memory must be an integer in [1, 1000], got " + memory);
      }
      new Lbfgs(epochs, (int) memory, optimizerParams.getOrDefault("tolerance", 1e-6));
    }
    Schedule.parse(schedule, learningRate, 1000);
    Scaler.Kind.parse(scaling);
    positive("epochs", epochs);
    positive("threads", threads);
    positive("microBatch", microBatch);
    if (minSteps < 0) {
      throw new IllegalArgumentException("minSteps must be >= 0 (0 = none), got " + minSteps);
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be >= 0 (0 = full batch), got " + batchSize);
    }
    if (!(validationFraction >= 0 && validationFraction < 1 || validationFraction == AUTO)) {
      throw new IllegalArgumentException("validationFraction must be in [0, 1), or -1 (automatic), got "
          + validationFraction);
    }
    if (patience < 0 || !(minDelta >= 0) || !(clipNorm >= 0)) {
      throw new IllegalArgumentException("patience, minDelta and clipNorm must be >= 0");
    }
    String d = onDivergence.toLowerCase(Locale.ROOT);
    if (!d.equals("stop") && !d.equals("skip")) {
      throw new IllegalArgumentException("onDivergence must be 'stop' or 'skip', got '" + onDivergence + "'");
    }
    onDivergence = d;
  }

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public Network buildNetwork() {
    return Network.of(network, loss);
  }

  /** validationFraction's automatic value. */
  public static final double AUTO = -1;
  /** The automatic validation split holds out this share of the rows ... */
  public static final double AUTO_VALIDATION_SHARE = 0.1;
  /** ... from training sets of at least this many rows. */
  public static final long AUTO_VALIDATION_ROWS = 5000;

  /**
   * The share of {@code rows} training rows to hold out for validation: validationFraction, or,
   * when automatic, {@link #AUTO_VALIDATION_SHARE} if early stopping is on and the data has at
   * least {@link #AUTO_VALIDATION_ROWS} rows (smaller sets keep every row for training and stop on
   * the training loss), else 0.
   */
  public double validationShare(long rows) {
    if (validationFraction != AUTO) {
      return validationFraction;
    }
    return patience > 0 && rows >= AUTO_VALIDATION_ROWS && !usesFullBatchSolver()
        ? AUTO_VALIDATION_SHARE : 0;
  }

  /**
   * The epochs a run plans for at {@code stepsPerEpoch} steps each. With early stopping on
   * (patience > 0) the budget converges: epochs is a cap, raised where minSteps needs more
   * epochs. With patience = 0 it is fixed: exactly epochs. Full-batch solvers count iterations,
   * not steps: epochs.
   */
  public int plannedEpochs(int stepsPerEpoch) {
    if (minSteps == 0 || patience == 0 || usesFullBatchSolver()) {
      return epochs;
    }
    long needed = (minSteps + (long) stepsPerEpoch - 1) / Math.max(1, stepsPerEpoch);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(epochs, needed));
  }

  public static final String LBFGS = "lbfgs";
  public static final String RANDOM_SEARCH = "random_search";

  static boolean isFullBatchSolver(String optimizer) {
    return optimizer.equals(LBFGS) || optimizer.equals(RANDOM_SEARCH);
  }

  /** True for lbfgs and random_search, which train on the full batch without a step optimizer. */
  public boolean usesFullBatchSolver() {
    return isFullBatchSolver(optimizer);
  }

  /** The step optimizer; for full-batch solvers, plain SGD stands in (its state is empty). */
  public Optimizer buildOptimizer() {
    return usesFullBatchSolver() ? new org.sparkprop.optim.Sgd()
        : Optimizers.create(optimizer, optimizerParams);
  }

  /** L-BFGS with MLlib's defaults (memory 10, tolerance 1e-6), epochs = iterations. */
  public Lbfgs buildLbfgs() {
    return new Lbfgs(epochs, optimizerParams.getOrDefault("memory", 10.0).intValue(),
        optimizerParams.getOrDefault("tolerance", 1e-6));
  }

  public RandomSearch buildRandomSearch() {
    return randomSearch(optimizerParams, epochs);
  }

  private static RandomSearch randomSearch(Map<String, Double> p, int trials) {
    if (!p.keySet().stream().allMatch(k -> k.equals("scale"))) {
      throw new IllegalArgumentException("random_search takes scale, got " + p.keySet());
    }
    return new RandomSearch(trials, p.getOrDefault("scale", 0.1));
  }

  public Init buildInit() {
    return Init.parse(init);
  }

  public Penalty buildPenalty() {
    return Penalty.parse(penalty);
  }

  public Schedule buildSchedule(long totalSteps) {
    return Schedule.parse(schedule, learningRate, totalSteps);
  }

  public boolean skipOnDivergence() {
    return onDivergence.equals("skip");
  }

  /** Plain map for JSON (saved models, run logs, checkpoints). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("network", network);
    m.put("loss", loss);
    m.put("init", init);
    m.put("seed", seed);
    m.put("optimizer", optimizer);
    m.put("optimizerParams", optimizerParams);
    m.put("learningRate", learningRate);
    m.put("schedule", schedule);
    m.put("penalty", penalty);
    m.put("clipNorm", clipNorm);
    m.put("batchSize", batchSize);
    m.put("epochs", epochs);
    m.put("minSteps", minSteps);
    m.put("threads", threads);
    m.put("validationFraction", validationFraction);
    m.put("patience", patience);
    m.put("minDelta", minDelta);
    m.put("restoreBest", restoreBest);
    m.put("onDivergence", onDivergence);
    m.put("microBatch", microBatch);
    m.put("shuffle", shuffle);
    m.put("scaling", scaling);
    return m;
  }

  /** Mutable builder with the documented defaults. */
  public static final class Builder {
    private String network = "784-256relu-128relu-10";
    private String loss = "cross_entropy";
    private String init = "he";
    private long seed = 1;
    private String optimizer = "adam";
    private Map<String, Double> optimizerParams = Map.of();
    private double learningRate = 1e-3;
    private String schedule = "constant";
    private String penalty = "none";
    private double clipNorm = 0;
    private int batchSize = 128;
    private int epochs = 10;
    private int minSteps = 0;
    private int threads = 1;
    private double validationFraction = 0;
    private int patience = 0;
    private double minDelta = 0;
    private boolean restoreBest = true;
    private String onDivergence = "stop";
    private int microBatch = 256;
    private boolean shuffle = true;
    private String scaling = "none";

    Builder() {}

    Builder(TrainConfig c) {
      network = c.network;
      loss = c.loss;
      init = c.init;
      seed = c.seed;
      optimizer = c.optimizer;
      optimizerParams = c.optimizerParams;
      learningRate = c.learningRate;
      schedule = c.schedule;
      penalty = c.penalty;
      clipNorm = c.clipNorm;
      batchSize = c.batchSize;
      epochs = c.epochs;
      minSteps = c.minSteps;
      threads = c.threads;
      validationFraction = c.validationFraction;
      patience = c.patience;
      minDelta = c.minDelta;
      restoreBest = c.restoreBest;
      onDivergence = c.onDivergence;
      microBatch = c.microBatch;
      shuffle = c.shuffle;
      scaling = c.scaling;
    }

    public Builder network(String v) { network = v; return this; }
    public Builder loss(String v) { loss = v; return this; }
    public Builder init(String v) { init = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder optimizer(String v) { optimizer = v; return this; }
    public Builder optimizerParams(Map<String, Double> v) { optimizerParams = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder schedule(String v) { schedule = v; return this; }
    public Builder penalty(String v) { penalty = v; return this; }
    public Builder clipNorm(double v) { clipNorm = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder minSteps(int v) { minSteps = v; return this; }
    public Builder threads(int v) { threads = v; return this; }
    public Builder validationFraction(double v) { validationFraction = v; return this; }
    public Builder patience(int v) { patience = v; return this; }
    public Builder minDelta(double v) { minDelta = v; return this; }
    public Builder restoreBest(boolean v) { restoreBest = v; return this; }
    public Builder onDivergence(String v) { onDivergence = v; return this; }
    public Builder microBatch(int v) { microBatch = v; return this; }
    public Builder shuffle(boolean v) { shuffle = v; return this; }
    public Builder scaling(String v) { scaling = v; return this; }

    public TrainConfig build() {
      return new TrainConfig(network, loss, init, seed, optimizer, optimizerParams, learningRate,
          schedule, penalty, clipNorm, batchSize, epochs, minSteps, threads, validationFraction, patience,
          minDelta, restoreBest, onDivergence, microBatch, shuffle, scaling);
    }
  }
}
