package org.sparkprop.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparkprop.optim.Optimizer;
import org.sparkprop.optim.Optimizers;

/**
 * How the engine's training ({@link org.sparkprop.train.TrainConfig}) is distributed over Spark.
 * The engine's {@code batchSize} is the rows each replica steps on; a synchronous step's global
 * batch is replicas × batchSize.
 *
 * @param mode sync (one job per step), local_sgd (one job per round of H local steps),
 *     allreduce (one barrier stage per epoch, the tasks all-reducing every step's gradient) or
 *     auto (local_sgd for up to two replicas, allreduce for more)
 * @param localSteps H, the local steps per round; 0 = automatic (see {@link LocalStepsPolicy})
 * @param overheadTarget the largest share of a job's time Spark's fixed cost may take when H is
 *     chosen automatically (0.1)
 * @param outerOptimizer what the driver applies to the averaged model delta in local SGD: "average"
 *     (plain model averaging), "momentum", "nesterov" or "adam"; the pseudo-gradient is
 *     w_round_start − mean(w_local)
 * @param outerLearningRate the outer optimizer's rate (1 with "average": the mean model)
 * @param outerMomentum the outer momentum (momentum, nesterov)
 * @param partitions number of partitions of the training data; 0 = the executor cores
 * @param replicas copies of the model that step independently; 0 = automatic (see {@link Replicas})
 * @param minReplicaSteps with automatic replicas, the fewest steps per epoch each replica must get
 *     (fewer replicas train small data)
 * @param aggregationDepth depth of treeAggregate (2, as MLlib's default)
 * @param orderedAggregation sum partition results in an order fixed by partition index
 *     ({@link FixedTree}: bit-reproducible for any partition count and after retries; the default)
 *     instead of treeAggregate's completion order
 * @param lrScaling how synchronous steps scale the learning rate with the global batch G = R·b
 *     against {@code referenceBatch}: "auto" (sqrt for adaptive optimizers, linear for SGD and
 *     momentum), "linear" (×G/ref, Goyal et al. 2017), "sqrt" (×√(G/ref)) or "none"
 * @param referenceBatch the batch the base learning rate was tuned for; 0 = batchSize (one replica)
 * @param warmupSteps steps of the gradual warm-up from the base to the scaled rate; -1 = one epoch,
 *     at most a tenth of the run
 * @param stageSteps allreduce: steps per barrier stage; 0 = the rest of the epoch
 * @param collectiveTimeoutMs allreduce: the longest any socket call (rendezvous, connect, one
 *     all-reduce) may wait for a peer before the stage fails, naming the peer
 * @param collectivePorts allreduce: the ports its sockets may listen on, "0" (any) or "first-last"
 * @param collectivePrecision allreduce: how gradients travel, "float32" or "bf16" (half the
 *     bytes; every rank still adds in float32)
 * @param collectiveSharedMemory allreduce: neighbour ranks on one host move gradients through
 *     shared memory (/dev/shm) instead of a loopback socket; bitwise the same result, in less time
 * @param syncEpochs local SGD: the first epochs run as all-reduced synchronous steps before the
 *     local rounds (post-local SGD, Lin et al. 2020); 0 = none
 * @param streamWindowRows 0: a replica holds its rows in memory and shuffles all of them each
 *     epoch; W > 0: it streams its blocks once per stage or round, shuffling within windows of at
 *     least W consecutive rows, so its data need not fit in memory ({@link
 *     org.sparkprop.data.StreamedRows})
 * @param checkpointDir a Hadoop file-system path for checkpoints; empty = none
 * @param checkpointEvery write a checkpoint every this many jobs (and at every epoch's end)
 * @param keepLast checkpoints kept
 * @param overwrite allow a fresh run to delete checkpoints already in checkpointDir
 */
public record SparkTrainConfig(SyncMode mode, int localSteps, double overheadTarget,
                               String outerOptimizer, double outerLearningRate, double outerMomentum,
                               int partitions, int replicas, int minReplicaSteps,
                               int aggregationDepth, boolean orderedAggregation,
                               String lrScaling, int referenceBatch, int warmupSteps,
                               int stageSteps, long collectiveTimeoutMs, String collectivePorts,
                               String collectivePrecision, boolean collectiveSharedMemory,
                               int syncEpochs, int streamWindowRows,
                               String checkpointDir, int checkpointEvery, int keepLast,
                               boolean overwrite) {

  private static final Set<String> SCALINGS = Set.of("auto", "none", "linear", "sqrt");

  public SparkTrainConfig {
    outerOptimizer = outerOptimizer.trim().toLowerCase(Locale.ROOT);
    lrScaling = lrScaling.trim().toLowerCase(Locale.ROOT);
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps must be >= 0 (0 = automatic), got " + localSteps);
    }
    if (!(overheadTarget > 0 && overheadTarget < 1)) {
      throw new IllegalArgumentException("overheadTarget must be in (0, 1), got " + overheadTarget);
    }
    buildOuter(outerOptimizer, outerMomentum);
    if (!(outerLearningRate > 0)) {
      throw new IllegalArgumentException("outerLearningRate must be > 0, got " + outerLearningRate);
    }
    if (partitions < 0 || replicas < 0 || minReplicaSteps < 1 || aggregationDepth < 1
        || referenceBatch < 0 || warmupSteps < -1 || checkpointEvery < 1 || keepLast < 1) {
      throw new IllegalArgumentException("partitions >= 0, replicas >= 0, minReplicaSteps >= 1, "
          + "aggregationDepth >= 1, referenceBatch >= 0, warmupSteps >= -1, checkpointEvery >= 1 "
          + "and keepLast >= 1 are required");
    }
    if (!SCALINGS.contains(lrScaling)) {
      throw new IllegalArgumentException("lrScaling must be auto, none, linear or sqrt, got '"
          + lrScaling + "'");
    }
    checkpointDir = checkpointDir == null ? "" : checkpointDir;
    if (stageSteps < 0 || collectiveTimeoutMs <= 0 || syncEpochs < 0 || streamWindowRows < 0) {
      throw new IllegalArgumentException("stageSteps >= 0, syncEpochs >= 0, streamWindowRows >= 0 "
          + "and collectiveTimeoutMs > 0 are required");
    }
    org.sparkprop.collective.PortRange.parse(collectivePorts);
    collectivePrecision = collectivePrecision.trim().toLowerCase(Locale.ROOT);
    if (!collectivePrecision.equals("float32") && !collectivePrecision.equals("bf16")) {
      throw new IllegalArgumentException("collectivePrecision must be float32 or bf16, got '"
          + collectivePrecision + "'");
    }
  }

  public org.sparkprop.collective.PortRange ports() {
    return org.sparkprop.collective.PortRange.parse(collectivePorts);
  }

  /** The defaults: automatic mode, replicas and H; plain model averaging in local SGD. */
  public static SparkTrainConfig defaults() {
    return new Builder().build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public Optimizer buildOuterOptimizer() {
    return buildOuter(outerOptimizer, outerMomentum);
  }

  private static Optimizer buildOuter(String name, double momentum) {
    return switch (name) {
      case "average" -> new org.sparkprop.optim.Sgd();
      case "momentum", "nesterov" -> Optimizers.create(name, Map.of("momentum", momentum));
      case "adam" -> Optimizers.create("adam", Map.of());
      default -> throw new IllegalArgumentException("outerOptimizer must be average, momentum, "
          + "nesterov or adam, got '" + name + "'");
    };
  }

  /** True when a setting only local SGD uses is set: its period, its sync epochs, an outer optimizer. */
  public boolean hasLocalSgdSettings() {
    return localSteps > 0 || syncEpochs > 0 || !outerOptimizer.equals("average");
  }

  /** True when the driver takes the replicas' mean as it is (no outer optimizer). */
  public boolean plainAveraging() {
    return outerOptimizer.equals("average") && outerLearningRate == 1.0;
  }

  public SparkTrainConfig withMode(SyncMode m) {
    return toBuilder().mode(m).build();
  }

  public SparkTrainConfig withLocalSteps(int h) {
    return toBuilder().localSteps(h).build();
  }

  public SparkTrainConfig withCheckpoints(String dir, int every, boolean overwrite) {
    return toBuilder().checkpointDir(dir).checkpointEvery(every).overwrite(overwrite).build();
  }

  public SparkTrainConfig withPartitions(int p) {
    return toBuilder().partitions(p).build();
  }

  public SparkTrainConfig withReplicas(int r) {
    return toBuilder().replicas(r).build();
  }

  public SparkTrainConfig withOuter(String optimizer, double lr, double momentum) {
    return toBuilder().outerOptimizer(optimizer).outerLearningRate(lr).outerMomentum(momentum)
        .build();
  }

  public SparkTrainConfig withOrderedAggregation(boolean ordered) {
    return toBuilder().orderedAggregation(ordered).build();
  }

  public SparkTrainConfig withLrScaling(String scaling, int reference) {
    return toBuilder().lrScaling(scaling).referenceBatch(reference).build();
  }

  /**
   * Settings that define the computation (saved with checkpoints and models, and compared when
   * resuming). Where checkpoints go and how often is bookkeeping, not computation: left out.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.configName());
    m.put("localSteps", localSteps);
    m.put("overheadTarget", overheadTarget);
    m.put("outerOptimizer", outerOptimizer);
    m.put("outerLearningRate", outerLearningRate);
    m.put("outerMomentum", outerMomentum);
    m.put("partitions", partitions);
    m.put("replicas", replicas);
    m.put("minReplicaSteps", minReplicaSteps);
    m.put("aggregationDepth", aggregationDepth);
    m.put("orderedAggregation", orderedAggregation);
    m.put("lrScaling", lrScaling);
    m.put("referenceBatch", referenceBatch);
    m.put("warmupSteps", warmupSteps);
    m.put("syncEpochs", syncEpochs);
    m.put("streamWindowRows", streamWindowRows);
    m.put("collectivePrecision", collectivePrecision);
    m.put("collectiveSharedMemory", collectiveSharedMemory);
    return m;
  }

  /** Mutable builder with the documented defaults. */
  public static final class Builder {
    private SyncMode mode = SyncMode.AUTO;
    private int localSteps = 0;
    private double overheadTarget = 0.1;
    private String outerOptimizer = "average";
    private double outerLearningRate = 1.0;
    private double outerMomentum = 0.9;
    private int partitions = 0;
    private int replicas = 0;
    private int minReplicaSteps = 100;
    private int aggregationDepth = 2;
    private boolean orderedAggregation = true;
    private String lrScaling = "auto";
    private int referenceBatch = 0;
    private int warmupSteps = -1;
    private int stageSteps = 0;
    private long collectiveTimeoutMs = 120_000;
    private String collectivePorts = "0";
    private String collectivePrecision = "float32";
    private boolean collectiveSharedMemory = true;
    private int syncEpochs = 0;
    private int streamWindowRows = 0;
    private String checkpointDir = "";
    private int checkpointEvery = 50;
    private int keepLast = 2;
    private boolean overwrite = false;

    public Builder() {}

    Builder(SparkTrainConfig c) {
      mode = c.mode;
      localSteps = c.localSteps;
      overheadTarget = c.overheadTarget;
      outerOptimizer = c.outerOptimizer;
      outerLearningRate = c.outerLearningRate;
      outerMomentum = c.outerMomentum;
      partitions = c.partitions;
      replicas = c.replicas;
      minReplicaSteps = c.minReplicaSteps;
      aggregationDepth = c.aggregationDepth;
      orderedAggregation = c.orderedAggregation;
      lrScaling = c.lrScaling;
      referenceBatch = c.referenceBatch;
      warmupSteps = c.warmupSteps;
      stageSteps = c.stageSteps;
      collectiveTimeoutMs = c.collectiveTimeoutMs;
      collectivePorts = c.collectivePorts;
      collectivePrecision = c.collectivePrecision;
      collectiveSharedMemory = c.collectiveSharedMemory;
      syncEpochs = c.syncEpochs;
      streamWindowRows = c.streamWindowRows;
      checkpointDir = c.checkpointDir;
      checkpointEvery = c.checkpointEvery;
      keepLast = c.keepLast;
      overwrite = c.overwrite;
    }

    public Builder mode(SyncMode v) { mode = v; return this; }
    public Builder localSteps(int v) { localSteps = v; return this; }
    public Builder overheadTarget(double v) { overheadTarget = v; return this; }
    public Builder outerOptimizer(String v) { outerOptimizer = v; return this; }
    public Builder outerLearningRate(double v) { outerLearningRate = v; return this; }
    public Builder outerMomentum(double v) { outerMomentum = v; return this; }
    public Builder partitions(int v) { partitions = v; return this; }
    public Builder replicas(int v) { replicas = v; return this; }
    public Builder minReplicaSteps(int v) { minReplicaSteps = v; return this; }
    public Builder aggregationDepth(int v) { aggregationDepth = v; return this; }
    public Builder orderedAggregation(boolean v) { orderedAggregation = v; return this; }
    public Builder lrScaling(String v) { lrScaling = v; return this; }
    public Builder referenceBatch(int v) { referenceBatch = v; return this; }
    public Builder warmupSteps(int v) { warmupSteps = v; return this; }
    public Builder stageSteps(int v) { stageSteps = v; return this; }
    public Builder collectiveTimeoutMs(long v) { collectiveTimeoutMs = v; return this; }
    public Builder collectivePorts(String v) { collectivePorts = v; return this; }
    public Builder collectivePrecision(String v) { collectivePrecision = v; return this; }
    public Builder collectiveSharedMemory(boolean v) { collectiveSharedMemory = v; return this; }
    public Builder syncEpochs(int v) { syncEpochs = v; return this; }
    public Builder streamWindowRows(int v) { streamWindowRows = v; return this; }
    public Builder checkpointDir(String v) { checkpointDir = v; return this; }
    public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
    public Builder keepLast(int v) { keepLast = v; return this; }
    public Builder overwrite(boolean v) { overwrite = v; return this; }

    public SparkTrainConfig build() {
      return new SparkTrainConfig(mode, localSteps, overheadTarget, outerOptimizer,
          outerLearningRate, outerMomentum, partitions, replicas, minReplicaSteps, aggregationDepth,
          orderedAggregation, lrScaling, referenceBatch, warmupSteps, stageSteps,
          collectiveTimeoutMs, collectivePorts, collectivePrecision, collectiveSharedMemory,
          syncEpochs, streamWindowRows, checkpointDir, checkpointEvery, keepLast, overwrite);
    }
  }
}
