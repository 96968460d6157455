package org.sparkprop.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkprop.data.Block;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.Model;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;
import org.sparkprop.train.TrainingResult;

/**
 * Data-parallel training on Spark: partitions hold packed blocks (cached once), tasks run the
 * engine, the driver owns the weights and the optimizer.
 *
 * <p>{@link #fit} prepares the data: validates and packs it, fits the scaler, and groups the P
 * partitions into R replicas ({@link Replicas}: R follows the cluster's task slots and the data's
 * size, not the partitioning alone). Then a {@link TrainingRun} runs the jobs:
 * <pre>
 *   synchronous   one job per step; global batch = R × batchSize, learning-rate rule
 *                 ({@link LearningRateRule}); exactly the local trainer's steps on the same batches
 *   local SGD     one job per round of H steps ({@link LocalStepsPolicy}); each replica steps on
 *                 batchSize rows; the driver averages and applies the outer optimizer
 * </pre>
 * With H = 1, plain SGD inside and plain averaging outside, local SGD is synchronous SGD again.
 *
 * <p>Spark's fixed cost per job (broadcast, scheduling, aggregation: 20–150 ms here) is paid per
 * step in synchronous mode and per H steps in local SGD.
 */
public final class DistributedTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);

  private final JavaSparkContext sc;
  private final TrainConfig cfg;
  private final SparkTrainConfig dist;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private List<String> classNames;
  private String dataSource = "spark";
  private String perFitPrefix;
  private TaskHook hook;
  private final RunStats stats = new RunStats();

  public DistributedTrainer(JavaSparkContext sc, TrainConfig cfg, SparkTrainConfig dist) {
    this.sc = sc;
    this.dist = dist;
    this.cfg = cfg;
    if (cfg.optimizer().equals(TrainConfig.RANDOM_SEARCH)) {
      throw new IllegalArgumentException("random_search is for the local trainer "
          + "(training.trainer = local); the Spark trainer runs lbfgs and the first-order optimizers");
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

  /**
   * Makes {@code checkpointDir} a parent folder: each fit checkpoints into a folder of its own,
   * {@code <prefix>-<hash of config and data>}, resumes there if an earlier fit of the same config
   * on the same data left checkpoints, and deletes it once it completes ({@link FitCheckpoints}).
   */
  public DistributedTrainer checkpointsPerFit(String prefix) {
    this.perFitPrefix = prefix;
    return this;
  }

  /**
   * Refuses, before any stage, what Spark's barrier scheduling cannot run: dynamic allocation
   * (SPARK-24954) and more tasks than free slots (SPARK-24819), which would otherwise fail late or
   * wait.
   */
  static void checkBarrierStage(org.apache.spark.SparkConf conf, int replicas, int slots) {
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new IllegalArgumentException("spark.mode=allreduce runs each epoch as one barrier stage, "
          + "which Spark does not support with dynamic allocation: set "
          + "spark.dynamicAllocation.enabled=false, or use spark.mode=local_sgd");
    }
    if (replicas > slots) {
      throw new IllegalArgumentException("spark.mode=allreduce needs all " + replicas + " replicas "
          + "running at once, but the cluster has " + slots + " task slot(s): set spark.replicas to at "
          + "most " + slots + " (or leave it 0), or add executors");
    }
  }

  /**
   * Task slots of the cluster: the local master's threads, or the executors' cores (waiting up to
   * a few seconds for executors to register, as a fresh application's may not have yet).
   */
  int slots() {
    if (sc.master().startsWith("local")) {
      return sc.defaultParallelism();
    }
    int cores = sc.defaultParallelism();
    long deadline = System.currentTimeMillis() + 10_000;
    while (sc.sc().statusTracker().getExecutorInfos().length <= 1
        && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      cores = sc.defaultParallelism();
    }
    return Math.max(1, cores);
  }

  /** Timing of the last run: where the wall time went. */
  public RunStats stats() {
    return stats;
  }

  /**
   * Trains on {@code train} (one or more blocks per partition, as {@link SparkData} makes them), validating
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
    String description = sc.getLocalProperty("spark.job.description");    // the caller's, restored
    try {
      // The input is computed (read, packed, validated) once: persisted, then scanned for the
      // scaler's statistics (unless scaling is none), then scaled into the blocks training reads.
      TrainConfig c = cfg;                                   // captured by tasks: not `this`
      JavaRDD<Block> packed = train.map(b -> {
        if (b.rows() > 0) {
          org.sparkprop.data.Blocks.checkFits(b, c.buildNetwork(), "training data");
        }
        return b;
      }).setName("sparkprop packed training blocks");
      // Streamed data is kept on the executors' disks only: a spilled MEMORY_AND_DISK partition
      // read back is unrolled into storage memory again, up to all of it, at every epoch.
      StorageLevel trainLevel = dist.streamWindowRows() > 0 ? StorageLevel.DISK_ONLY()
          : StorageLevel.MEMORY_AND_DISK();
      if (dist.streamWindowRows() > 0 && sc.getConf().getInt("spark.serializer.objectStreamReset",
          100) > 1) {
        LOG.warn("spark.streamWindowRows is set but spark.serializer.objectStreamReset is {}: Spark's "
            + "Java serializer then keeps that many written blocks (16 MB each) in memory; set it to 1",
            sc.getConf().getInt("spark.serializer.objectStreamReset", 100));
      }
      packed.persist(trainLevel);
      persisted.add(packed);
      Scaler.Kind scaling = Scaler.Kind.parse(cfg.scaling());
      Scaler.Stats stats0 = new Scaler.Stats();
      if (scaling != Scaler.Kind.NONE) {                 // no scaling needs no statistics pass
        try {
          stats0 = packed.map(b -> new Scaler.Stats().add(b))
              .treeReduce(Scaler.Stats::merge, dist.aggregationDepth());
        } catch (Exception e) {                          // Spark's SparkException is checked
          throw SparkData.unwrap(e);
        }
      }
      Scaler scaler = stats0.toScaler(scaling, net.inputSize());
      JavaRDD<Block> data = packed;
      if (scaler.kind() != Scaler.Kind.NONE) {
        data = packed.map(scaler::apply).setName("sparkprop training blocks");
        data.persist(trainLevel);
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
      List<SparkData.PartitionInfo> census;
      try {
        census = SparkData.partitionCensus(data);
        sizes = census.stream().mapToInt(SparkData.PartitionInfo::rows).toArray();
        stats.blas = BlasCensus.of(org.sparkprop.linalg.Blas.fast().name(), census);
        if (stats.blas.mismatch()) {
          LOG.warn(stats.blas.warning());
        }
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
      stats.partitions = sizes.length;
      stats.slots = slots();
      Replicas.Choice replicas = Replicas.choose(dist.replicas(), sizes.length, stats.slots, rows,
          cfg.batchSize(), dist.minReplicaSteps());
      stats.replicas = replicas.replicas();
      stats.replicaReason = replicas.reason();
      LOG.info("training {} rows of {} partitions as {} replica(s): {}", rows, sizes.length,
          replicas.replicas(), replicas.reason());
      SparkTrainConfig fitDist = dist;
      String perFitDir = null;
      if (perFitPrefix != null && !dist.checkpointDir().isEmpty()) {
        perFitDir = FitCheckpoints.folder(dist.checkpointDir(), perFitPrefix, cfg, dist, census);
        fitDist = dist.withCheckpoints(perFitDir, dist.checkpointEvery(), false);
        resume = FitCheckpoints.holdsCheckpoints(perFitDir, sc.hadoopConfiguration());
        LOG.info(resume ? "resuming from the checkpoints an unfinished fit left in {}"
            : "checkpoints of this fit go to {}", perFitDir);
      }
      int replicasIfDistributed = cfg.usesFullBatchSolver() ? 1 : replicas.replicas();
      if (DriverTraining.applies(dist, replicasIfDistributed, rows, net, cfg.batchSize(), resume)) {
        stats.mode = "driver";
        stats.setupSeconds = (System.nanoTime() - setup0) / 1e9;
        return DriverTraining.fit(cfg, data, val, scaler, listeners, classNames, dataSource,
            DriverTraining.why(replicasIfDistributed, net, cfg.batchSize()));
      }
      boolean dynamic = sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false);
      SparkTrainConfig run = fitDist.withMode(dist.mode().resolve(replicas.replicas(), stats.slots,
          dynamic, dist.hasLocalSgdSettings()));
      stats.mode = run.mode().configName();
      if (dist.mode() == SyncMode.AUTO) {
        LOG.info("spark.mode = auto: {} for {} replica(s)", stats.mode, replicas.replicas());
      }
      boolean barrier = run.mode() == SyncMode.ALLREDUCE
          || run.mode() == SyncMode.LOCAL_SGD && run.syncEpochs() > 0;
      if (barrier) {
        checkBarrierStage(sc.getConf(), replicas.replicas(), stats.slots);
      }
      if (replicas.replicas() != sizes.length) {
        JavaRDD<Block> grouped = Replicas.group(data, replicas.replicas(), barrier);
        grouped.persist(trainLevel);
        persisted.add(grouped);
        try {
          sizes = SparkData.partitionRows(grouped);
        } catch (Exception e) {                          // Spark's SparkException is checked
          throw SparkData.unwrap(e);
        }
        data.unpersist(false);                           // each replica holds its rows now
        data = grouped;
      }
      stats.setupSeconds = (System.nanoTime() - setup0) / 1e9;
      if (cfg.usesFullBatchSolver()) {
        stats.mode = "lbfgs";
        return SparkLbfgs.fit(sc, cfg, net, data, val, scaler, listeners, classNames, dataSource,
            rows);
      }
      TrainingRun training = new TrainingRun(sc, cfg, run, net, data, val, sizes, rows, scaler,
          stats, listeners, hook);
      training.classNames = classNames;
      training.dataSource = dataSource;
      TrainingResult result = training.train(resume);
      if (perFitDir != null) {
        try {
          FitCheckpoints.delete(perFitDir, sc.hadoopConfiguration());
        } catch (java.io.UncheckedIOException e) {         // the model is trained: keep it
          LOG.warn("the fit completed but its checkpoint folder stays: {}", e.getMessage());
        }
      }
      return result;
    } finally {
      for (JavaRDD<Block> r : persisted) {
        r.unpersist(false);
      }
      sc.setLocalProperty("spark.job.description", description);
    }
  }

  /**
   * Distributed evaluation of a trained model on blocks of unscaled data; the partitions' sums are
   * added in partition order ({@link FixedTree}), so the figures do not depend on task timing.
   */
  public static BatchSums evaluate(JavaSparkContext sc, Model model, JavaRDD<Block> blocks,
                                   TrainConfig config) {
    Scaler scaler = model.scaler();
    Broadcast<Snapshot> bc = sc.broadcast(new Snapshot(model.params(), model.netState(), null, null));
    try {
      // The width first, naming the network, before the scaler would refuse it in its own terms.
      int width = model.numFeatures();
      return FixedTree.sum(blocks.map(b -> {
        if (b.rows() > 0 && b.features() != width) {
          throw new IllegalArgumentException("evaluation data: data has " + b.features()
              + " features but the model expects " + width);
        }
        return scaler.apply(b);
      })
          .mapPartitionsWithIndex(new Tasks.Evaluate(bc, config), true)).sums;
    } catch (Exception e) {                                // Spark's SparkException is checked
      throw SparkData.unwrap(e);                           // bad data keeps its own message
    } finally {
      bc.destroy();
    }
  }
}
