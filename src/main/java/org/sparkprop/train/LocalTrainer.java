package org.sparkprop.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Augmentation;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;

/**
 * Trains a network in one JVM: the reference the Spark trainer must agree with, and a useful tool.
 *
 * <p>Each step takes the global mini-batch defined by {@link EpochPlan} (the training data may be
 * given as several shards, laid out like Spark partitions), splits its rows evenly over
 * {@code threads} threads, and runs:
 * <pre>
 *   A  every thread: gather its rows, forward, backward → its own Σgrad, Σloss, Σw
 *   B  every thread, over its slice of the parameter vector: Σgrad = Σ_k grad_k (k in order),
 *      then g = Σgrad/Σw + ∇P and its partial ‖g‖²
 *   -  caller: check loss and ‖g‖ are finite, clipping factor
 *   C  every thread, over its slice: clip, optimizer update
 * </pre>
 * The same seed and thread count give bit-identical weights: summation orders are fixed. Another
 * thread count changes the summation order and, with dropout or batch norm, the masks and batch
 * statistics each thread draws (statistics are per thread's share of the batch; the replicas'
 * running statistics are averaged by rows after each step).
 */
public final class LocalTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

  private final TrainConfig cfg;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Augmentation augmentation;
  private Checkpoints checkpoints;
  private int checkpointEveryEpochs = 1;
  private List<String> classNames;
  private String dataSource = "in-memory";

  public LocalTrainer(TrainConfig cfg) {
    this.cfg = cfg;
  }

  public LocalTrainer listener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  public LocalTrainer augmentation(Augmentation a) {
    this.augmentation = a;
    return this;
  }

  /** Writes a checkpoint every {@code everyEpochs} epochs into {@code store}. */
  public LocalTrainer checkpoints(Checkpoints store, int everyEpochs) {
    if (everyEpochs < 1) {
      throw new IllegalArgumentException("checkpoint every N epochs needs N >= 1, got " + everyEpochs);
    }
    this.checkpoints = store;
    this.checkpointEveryEpochs = everyEpochs;
    return this;
  }

  public LocalTrainer classNames(List<String> names) {
    this.classNames = names;
    return this;
  }

  public LocalTrainer dataSource(String source) {
    this.dataSource = source;
    return this;
  }

  /** Trains on {@code train}; validates on {@code validation}, or on a held-out fraction of train. */
  public TrainingResult fit(Block train, Block validation) {
    Block trainPart = train;
    Block val = validation;
    double share = cfg.validationShare(train.rows());
    if (val == null && share > 0) {
      Block[] split = Blocks.split(train, share, cfg.seed());
      trainPart = split[0];
      val = split[1];
    }
    return fit(List.of(trainPart), val, null);
  }

  /**
   * Trains on data laid out in shards (as Spark partitions would be), optionally resuming from the
   * latest checkpoint of the configured store.
   */
  public TrainingResult fit(List<Block> shards, Block validation, TrainingState resumeFrom) {
    Network net = cfg.buildNetwork();
    net.checkTrainable();
    long rows = 0;
    for (int p = 0; p < shards.size(); p++) {
      Blocks.checkFits(shards.get(p), net, "training data" + (shards.size() > 1 ? " shard " + p : ""));
      rows += shards.get(p).rows();
    }
    if (rows == 0) {
      throw new IllegalArgumentException("the training data is empty: nothing to train on");
    }
    if (validation != null) {
      Blocks.checkFits(validation, net, "validation data");
    }
    // Each pass over the data only when it is used: feature statistics for a scaler, and the
    // fingerprint (the data as given, unscaled, as resume() sees it) for checkpoints.
    Scaler.Kind kind = Scaler.Kind.parse(cfg.scaling());
    Scaler scaler = Scaler.none(net.inputSize());
    if (kind != Scaler.Kind.NONE) {
      Scaler.Stats stats = new Scaler.Stats();
      for (Block b : shards) {
        stats.add(b);
      }
      scaler = stats.toScaler(kind, net.inputSize());
    }
    List<Block> data = shards.stream().map(scaler::apply).toList();
    Block val = validation == null ? null : scaler.apply(validation);
    Map<String, Object> fingerprint = checkpoints == null ? Map.of() : DataFingerprint.of(shards);
    try (LocalRun run = new LocalRun(settings(), net, data, val, rows, fingerprint)) {
      TrainingState st = resumeFrom != null ? resumeFrom : run.freshState();
      return run.train(st, scaler);
    }
  }

  /** Resumes from the latest checkpoint in the configured store. */
  public TrainingResult resume(List<Block> shards, Block validation) throws IOException {
    if (checkpoints == null) {
      throw new IOException("no checkpoint to resume from (no checkpoint store configured)");
    }
    Network net = cfg.buildNetwork();
    TrainingState st = checkpoints.loadNewestIntact(net, cfg.buildOptimizer(), null, cfg.toMap(),
        DataFingerprint.of(shards));
    LOG.info("resuming from {} at step {}", checkpoints.store().location(), st.step);
    return fit(shards, validation, st);
  }

  /** What a run needs of this trainer's settings. */
  private LocalRun.Settings settings() {
    return new LocalRun.Settings(cfg, List.copyOf(listeners), augmentation, checkpoints,
        checkpointEveryEpochs, classNames, dataSource);
  }
}
