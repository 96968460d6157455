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
 * Small data trains on the driver. When the automatic replica rule gives one replica (the data is
 * too small to give two replicas {@code spark.minReplicaSteps} steps each per epoch) and the rows
 * fit in {@link #MAX_FLOATS} floats, every epoch as a Spark job would cost more than the epoch
 * itself (20–150 ms per job against milliseconds of compute), and a converging budget on small
 * data runs hundreds of epochs. So the blocks are collected once and the local trainer runs the
 * same config on one thread: the same engine, epoch plan and stopping rule, one Spark job in all.
 * Setting {@code spark.replicas} (Spark ML: {@code numReplicas}) keeps training on the executors.
 */
final class DriverTraining {

  private static final Logger LOG = LoggerFactory.getLogger(DriverTraining.class);

  /** The most floats (features and labels of all rows) collected to the driver: 32 MB. */
  static final long MAX_FLOATS = 1L << 23;

  private DriverTraining() {}

  static boolean applies(SparkTrainConfig dist, int replicas, long rows, Network net,
                         boolean resume) {
    long floats = rows * (net.inputSize() + (long) net.outputSize());
    return dist.replicas() == 0 && replicas == 1 && floats <= MAX_FLOATS && !resume
        && dist.checkpointDir().isEmpty();
  }

  /** Trains on the driver on {@code data} and {@code validation}, both already scaled by {@code scaler}. */
  static TrainingResult fit(TrainConfig cfg, JavaRDD<Block> data, JavaRDD<Block> validation,
                            Scaler scaler, List<TrainingListener> listeners,
                            List<String> classNames, String dataSource) {
    // Empty partitions' blocks may carry a placeholder width: only blocks with rows are joined.
    Block train = Blocks.concat(data.filter(b -> b.rows() > 0).collect());
    List<Block> valBlocks = validation == null ? List.of()
        : validation.filter(b -> b.rows() > 0).collect();
    Block val = valBlocks.isEmpty() ? null : Blocks.concat(valBlocks);
    LOG.info("{} rows train on the driver (one replica's worth of small data; set spark.replicas "
        + "to train on the executors)", train.rows());
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
