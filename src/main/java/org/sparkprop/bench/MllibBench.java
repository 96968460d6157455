package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.EpochMetrics;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * {@code scripts/bench.sh mllib}: in one run on Fashion-MNIST with layers 784-256-128-10,
 * <ol>
 *   <li>Spark MLlib's MultilayerPerceptronClassifier with its defaults (l-bfgs, blockSize 128),
 *       maxIter 100;</li>
 *   <li>Sparkprop on Spark with the README's default config (conf/fashion-mnist-mlp.conf: local
 *       SGD, Adam, batch 128, H adapted to the overhead);</li>
 *   <li>Sparkprop on Spark, synchronous SGD (batch 2048, linear rate scaling, warm-up);</li>
 *   <li>the local trainer with the same settings as (2) and 2 threads.</li>
 * </ol>
 * Run from the repository root (it reads conf/).
 * Sparkprop's runs are measured after a one-epoch warm-up of each trainer (not counted). Test
 * accuracy is measured after every epoch, outside the training time. Sparkprop's set-up before
 * its first step (validating, packing and caching the blocks, fitting the scaler) is reported
 * separately, and a second speedup includes it (MLPC's fit time includes its own preparation).
 * Prints one JSON line per system and a final summary line ({@code "bench":"vs-mllib"}).
 *
 * <p>Usage: MllibBench DATA_DIR MASTER EPOCHS MLPC_MAX_ITER [APP_JAR]
 */
public final class MllibBench {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String NETWORK = "784-256relu-128relu-10";

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String master = args[1];
    int epochs = Integer.parseInt(args[2]);
    int mlpcIter = Integer.parseInt(args[3]);
    Block train = IdxReader.readSplit(dir, true).block();
    Block test = IdxReader.readSplit(dir, false).block();
    SparkSession spark = BenchSession.start(master, "mllib", args.length > 4 ? args[4] : null, 2);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = 2;
    List<ObjectNode> lines = new ArrayList<>();
    try {
      // (1) MLlib's MLPC.
      Dataset<Row> trainDf = SparkData.toDataFrame(spark, train, partitions).cache();
      Dataset<Row> testDf = SparkData.toDataFrame(spark, test, partitions).cache();
      trainDf.count();
      testDf.count();
      long m0 = System.nanoTime();
      MultilayerPerceptronClassificationModel mlpc = new MultilayerPerceptronClassifier()
          .setLayers(new int[] {784, 256, 128, 10}).setBlockSize(128).setMaxIter(mlpcIter)
          .setSeed(1).fit(trainDf);
      double mlpcSeconds = (System.nanoTime() - m0) / 1e9;
      double mlpcAcc = new MulticlassClassificationEvaluator().setMetricName("accuracy")
          .evaluate(mlpc.transform(testDf));
      int iterations = mlpc.summary().totalIterations();
      ObjectNode m = line("mlpc", master);
      m.put("solver", "l-bfgs");
      m.put("max_iter", mlpcIter);
      m.put("iterations", iterations);
      m.put("train_seconds", r(mlpcSeconds));
      m.put("seconds_per_iteration", r(mlpcSeconds / Math.max(1, iterations)));
      m.put("test_accuracy", r(mlpcAcc));
      emit(m, lines);
      trainDf.unpersist();
      testDf.unpersist();

      // (2) and (3) Sparkprop on Spark.
      // The README's default config (conf/fashion-mnist-mlp.conf), with the given epochs.
      org.sparkprop.cli.RunConfig rc = org.sparkprop.cli.RunConfig.load(
          new java.io.File("conf/fashion-mnist-mlp.conf"), List.of("training.epochs=" + epochs));
      TrainConfig base = rc.train();
      JavaRDD<Block> trainRdd = SparkData.distribute(sc, train, partitions);
      JavaRDD<Block> testRdd = SparkData.distribute(sc, test, partitions);
      // Warm-up, not measured: one epoch of each Sparkprop trainer, so that the measured runs below
      // compare compiled code with compiled code (MLPC's 100 iterations amortise its own warm-up).
      new DistributedTrainer(sc, base.toBuilder().epochs(1).build(), rc.spark())
          .fit(trainRdd, null, false);
      new LocalTrainer(base.toBuilder().epochs(1).threads(2).build()).fit(List.of(train), null, null);
      ObjectNode local = sparkprop(sc, base, rc.spark(), trainRdd, testRdd,
          mlpcAcc, master, "sparkprop-default");
      emit(local, lines);
      // 1024 rows per replica: a global batch of 2048 on two replicas, lr x 8, ramped over an epoch.
      TrainConfig syncCfg = base.toBuilder().batchSize(1024).build();
      SparkTrainConfig sync = SparkTrainConfig.defaults().withMode(SyncMode.SYNC)
          .withLrScaling("linear", 256).withReplicas(2);
      ObjectNode syncLine = sparkprop(sc, syncCfg, sync, trainRdd, testRdd, mlpcAcc, master,
          "sparkprop-sync");
      emit(syncLine, lines);

      // (4) The local trainer, same settings as (2), 2 threads.
      TrainingResult lt = new LocalTrainer(base.toBuilder().threads(2).build()).fit(List.of(train),
          test, null);
      ObjectNode l = line("local-trainer", "2 threads");
      l.put("epochs", lt.history().size());
      l.put("train_seconds", r(sumEpochSeconds(lt.history(), lt.history().size())));
      l.put("seconds_per_epoch", r(medianEpochSeconds(lt.history())));
      l.put("test_accuracy", r(lt.last().validationMetric()));
      l.put("seconds_to_mlpc_accuracy", r(secondsTo(lt.history(), mlpcAcc)));
      emit(l, lines);

      ObjectNode s = JSON.createObjectNode();
      s.put("bench", "vs-mllib");
      s.put("master", master);
      s.put("mlpc_train_seconds", r(mlpcSeconds));
      s.put("mlpc_test_accuracy", r(mlpcAcc));
      double reach = local.get("seconds_to_mlpc_accuracy").asDouble();
      s.put("sparkprop_seconds_to_mlpc_accuracy", r(reach));
      s.put("speedup_to_mlpc_accuracy", r(mlpcSeconds / reach));
      double setup = local.get("setup_seconds").asDouble();
      s.put("sparkprop_setup_seconds", r(setup));
      s.put("speedup_including_setup", r(mlpcSeconds / (reach + setup)));
      s.put("spark_vs_local_epoch", r(local.get("seconds_per_epoch").asDouble()
          / l.get("seconds_per_epoch").asDouble()));
      s.put("outside_compute_fraction", local.get("outside_compute_fraction").asDouble());
      s.put("outside_compute_fraction_sync", syncLine.get("outside_compute_fraction").asDouble());
      s.put("sparkprop_test_accuracy", local.get("test_accuracy").asDouble());
      s.put("sparkprop_sync_test_accuracy", syncLine.get("test_accuracy").asDouble());
      s.put("local_trainer_test_accuracy", l.get("test_accuracy").asDouble());
      System.out.println(s);
    } finally {
      spark.stop();
    }
  }

  static ObjectNode sparkprop(JavaSparkContext sc, TrainConfig cfg, SparkTrainConfig dist,
                              JavaRDD<Block> train, JavaRDD<Block> test, double target, String master,
                              String system) {
    DistributedTrainer t = new DistributedTrainer(sc, cfg, dist);
    TrainingResult res = t.fit(train, test, false);
    ObjectNode n = line(system, master);
    n.put("mode", dist.mode().configName());
    n.put("resolved_mode", t.stats().mode);
    n.put("batch", cfg.batchSize());
    n.put("epochs", res.history().size());
    n.put("local_steps", t.stats().localSteps);
    n.put("jobs", t.stats().jobs);
    n.put("train_seconds", r(sumEpochSeconds(res.history(), res.history().size())));
    n.put("seconds_per_epoch", r(medianEpochSeconds(res.history())));
    n.put("test_accuracy", r(res.last().validationMetric()));
    n.put("test_accuracy_by_epoch", Arrays.toString(res.history().stream()
        .mapToDouble(e -> r(e.validationMetric())).toArray()));
    n.put("seconds_to_mlpc_accuracy", r(secondsTo(res.history(), target)));
    n.put("setup_seconds", r(t.stats().setupSeconds));
    n.put("outside_compute_fraction", r(t.stats().outsideComputeFraction()));
    n.put("job_overhead_ms", r(t.stats().jobOverheadMs));
    return n;
  }

  /** Training seconds (validation excluded) until the first epoch whose test accuracy ≥ target. */
  static double secondsTo(List<EpochMetrics> h, double target) {
    for (int i = 0; i < h.size(); i++) {
      if (h.get(i).validationMetric() >= target) {
        return sumEpochSeconds(h, i + 1);
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  static double sumEpochSeconds(List<EpochMetrics> h, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += h.get(i).epochSeconds();
    }
    return s;
  }

  /** Median epoch time, the first (JIT warm-up) epoch excluded when there are others. */
  static double medianEpochSeconds(List<EpochMetrics> h) {
    double[] s = h.stream().skip(h.size() > 1 ? 1 : 0).mapToDouble(EpochMetrics::epochSeconds)
        .sorted().toArray();
    return s[s.length / 2];
  }

  static ObjectNode line(String system, String where) {
    ObjectNode n = JSON.createObjectNode();
    n.put("bench", "vs-mllib-run");
    n.put("system", system);
    n.put("where", where);
    n.put("network", NETWORK);
    return n;
  }

  static void emit(ObjectNode n, List<ObjectNode> lines) {
    lines.add(n);
    System.out.println(n);
  }

  static double r(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
  }
}
