package org.sparkprop.spark;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.Model;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;
import org.sparkprop.train.TrainingResult;

/**
 * Small data trains on the driver. When the rows fit in {@link #MAX_FLOATS} floats and either
 * <ul>
 *   <li>the automatic replica rule gives one replica (the data is too small to give two replicas
 *       {@code spark.minReplicaSteps} steps each per epoch), or</li>
 *   <li>with {@code spark.mode = auto} and no local-SGD setting, a replica's step is too cheap
 *       to split: under
 *       {@link #MIN_SPLIT_FLOPS} (6 · parameters · batch, forward and backward), a fraction of a
 *       millisecond on one core, less than one all-reduce of the gradient costs (0.56 ms per step
 *       for 9-100relu-7 on {@code local[2]} through shared memory, against 0.24 ms of compute),
 *       so a second replica makes each epoch slower, not faster,</li>
 * </ul>
 * every epoch on the executors would cost more than the epoch itself (20–150 ms per Spark job
 * against milliseconds of compute), and a converging budget on small data runs hundreds of epochs.
 * So the blocks are collected once and the local trainer runs the same config on one thread: the
 * same engine, epoch plan and stopping rule, one Spark job in all. Setting {@code spark.replicas}
 * (Spark ML: {@code numReplicas}), {@code spark.mode} or a local-SGD setting keeps training on the
 * executors.
 */
final class DriverTraining {

  private static final Logger LOG = LoggerFactory.getLogger(DriverTraining.class);

  /** The most floats (features and labels of all rows) collected to the driver: 32 MB. */
  static final long MAX_FLOATS = 1L << 23;

  private DriverTraining() {}

  /** Below this many floating-point operations per replica step, one replica trains faster. */
  static final long MIN_SPLIT_FLOPS = 20_000_000L;

  /** 6 · parameters · batch: the multiply-adds of a step's forward pass, and twice as many back. */
  static long stepFlops(Network net, int batchSize) {
    return 6L * net.paramCount() * batchSize;
  }

  /** No synchronisation asked for: spark.mode auto, and none of local SGD's settings. */
  static boolean syncUnset(SparkTrainConfig dist) {
    return dist.mode() == SyncMode.AUTO && !dist.hasLocalSgdSettings();
  }

  /** Why {@link #applies} holds, for the log. */
  static String why(int replicas, Network net, int batchSize) {
    return replicas == 1 ? "one replica's worth of small data"
        : String.format(java.util.Locale.ROOT, "small data, and a step of %.1f MFLOP is too cheap "
            + "to split over %d replicas: one all-reduce costs more than it saves",
            stepFlops(net, batchSize) / 1e6, replicas);
  }

  /**
   * @param replicas the automatic rule's replicas (1 for a full-batch solver)
   * @param batchSize rows per replica step (0: full batch)
   */
  static boolean applies(SparkTrainConfig dist, int replicas, long rows, Network net,
                         int batchSize, boolean resume) {
    long floats = rows * (net.inputSize() + (long) net.outputSize());
    boolean cheapSteps = syncUnset(dist) && batchSize > 0
        && stepFlops(net, batchSize) < MIN_SPLIT_FLOPS;
    return dist.replicas() == 0 && (replicas == 1 || cheapSteps) && floats <= MAX_FLOATS && !resume
        && dist.checkpointDir().isEmpty();
  }

  /** Trains on the driver on {@code data} and {@code validation}, both already scaled by {@code scaler}. */
  static TrainingResult fit(TrainConfig cfg, JavaRDD<Block> data, JavaRDD<Block> validation,
                            Scaler scaler, List<TrainingListener> listeners,
                            List<String> classNames, String dataSource, String why) {
    // Empty partitions' blocks may carry a placeholder width: only blocks with rows are joined.
    Block train = Blocks.concat(data.filter(b -> b.rows() > 0).collect());
    List<Block> valBlocks = validation == null ? List.of()
        : validation.filter(b -> b.rows() > 0).collect();
    Block val = valBlocks.isEmpty() ? null : Blocks.concat(valBlocks);
    LOG.info("{} rows train on the driver ({}; set spark.replicas or spark.mode to train on the "
        + "executors)", train.rows(), why);
    LocalTrainer local = new LocalTrainer(cfg.toBuilder().threads(1).scaling("none").build())
        .classNames(classNames).dataSource(dataSource);
    for (TrainingListener l : listeners) {
      local.listener(l);
    }
    TrainingResult r = local.fit(List.of(train), val, null);
    Model m = r.model();
    java.util.Map<String, Object> provenance = new java.util.LinkedHashMap<>(m.provenance());
    provenance.put("trainer", "spark driver (small data)");
    provenance.put("config", cfg.toMap());                   // the scaling the model applies
    Model scaled = new Model(m.network(), m.params(), m.netState(), scaler, classNames, provenance);
    return new TrainingResult(scaled, r.history(), r.steps(), r.trainSeconds(), r.stoppedEarly(),
        r.bestEpoch(), r.skippedSteps());
  }
}
