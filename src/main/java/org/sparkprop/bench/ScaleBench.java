package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.cli.RunConfig;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.RunStats;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;

/**
 * {@code scripts/bench.sh scale}: how accuracy and speed hold as the training data's partition
 * count P grows, on one master, in one run. For each P the Fashion-MNIST training set is split into
 * P partitions and trained with
 * <ul>
 *   <li>{@code default}: conf/fashion-mnist-mlp.conf as it is (local SGD, automatic replicas and H);</li>
 *   <li>{@code sync}: conf/fashion-mnist-sync.conf (one job per step, large batch, lr rule);</li>
 *   <li>{@code default-replicas=P} (P = 8 only, on local masters): the default with one replica per
 *       partition forced, i.e. what a cluster with P slots would train, run in task waves here.</li>
 * </ul>
 * <ul><li>{@code allreduce}: the default with spark.mode = allreduce.</li></ul>
 * Each line: test accuracy after the configs' epochs, train seconds (the epochs; Spark start-up,
 * data loading and the per-epoch test evaluation excluded), seconds until the test accuracy first
 * reached 88%, task compute seconds per row, and Spark's share of the wall time. Both trainers are warmed up by one unmeasured epoch first. The last line
 * ({@code "bench":"scale"}) has the ratios.
 *
 * <p>Usage: ScaleBench DATA_DIR MASTER P1,P2,... [APP_JAR]
 */
public final class ScaleBench {

  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String master = args[1];
    List<Integer> counts = new ArrayList<>();
    for (String p : args[2].split(",")) {
      counts.add(Integer.parseInt(p.trim()));
    }
    Block train = IdxReader.readSplit(dir, true).block();
    Block test = IdxReader.readSplit(dir, false).block();
    SparkSession spark = BenchSession.start(master, "scale", args.length > 3 ? args[3] : null, 0);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, RunConfig> configs = new LinkedHashMap<>();
    configs.put("default", RunConfig.load(new File("conf/fashion-mnist-mlp.conf"), List.of()));
    configs.put("sync", RunConfig.load(new File("conf/fashion-mnist-sync.conf"), List.of()));
    configs.put("allreduce", RunConfig.load(new File("conf/fashion-mnist-mlp.conf"),
        List.of("spark.mode=allreduce")));
    String only = System.getProperty("scale.configs", "");     // e.g. default,allreduce
    if (!only.isBlank()) {
      configs.keySet().retainAll(List.of(only.split(",")));
    }
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    try {
      for (RunConfig rc : configs.values()) {                 // warm-up: one epoch each, not measured
        new DistributedTrainer(sc, rc.train().toBuilder().epochs(1).build(), rc.spark())
            .fit(SparkData.distribute(sc, train, 2), null, false);
      }
      JavaRDD<Block> testRdd = SparkData.distribute(sc, test, 2);
      for (int p : counts) {
        JavaRDD<Block> data = SparkData.distribute(sc, train, p);
        for (Map.Entry<String, RunConfig> e : configs.entrySet()) {
          byKey.put(e.getKey() + "@" + p, run(sc, e.getKey(), e.getValue().train(),
              e.getValue().spark(), data, testRdd, p, master));
        }
        if (p == 8 && master.startsWith("local")) {
          RunConfig rc = configs.get("default");
          run(sc, "default-replicas=" + p, rc.train(), rc.spark().withReplicas(p), data, testRdd, p,
              master);
        }
      }
      ObjectNode s = JSON.createObjectNode();
      s.put("bench", "scale");
      s.put("master", master);
      int lo = counts.get(0);
      int hi = counts.get(counts.size() - 1);
      for (int p : counts) {
        s.put("acc_p" + p, byKey.get("default@" + p).get("test_accuracy").asDouble());
      }
      s.put("train_s_p" + lo, byKey.get("default@" + lo).get("train_seconds").asDouble());
      s.put("train_s_p" + hi, byKey.get("default@" + hi).get("train_seconds").asDouble());
      s.put("compute_per_row_ratio_p" + hi, r(byKey.get("default@" + hi).get("compute_us_per_row")
          .asDouble() / byKey.get("default@" + lo).get("compute_us_per_row").asDouble()));
      s.put("train_s_ratio_p" + hi, r(byKey.get("default@" + hi).get("train_seconds").asDouble()
          / byKey.get("default@" + lo).get("train_seconds").asDouble()));
      for (int p : counts) {
        ObjectNode to88 = s.putObject("seconds_to_88_p" + p);
        for (String k : configs.keySet()) {
          to88.put(k, byKey.get(k + "@" + p).get("seconds_to_88").asDouble());
        }
      }
      System.out.println(s);
    } finally {
      spark.stop();
    }
  }

  /**
   * One measured run; the test set is evaluated after every epoch (as validation, outside the
   * epochs' time) for the time to 88%.
   */
  static ObjectNode run(JavaSparkContext sc, String name, TrainConfig cfg, SparkTrainConfig dist,
                        JavaRDD<Block> data, JavaRDD<Block> test, int partitions, String master) {
    DistributedTrainer t = new DistributedTrainer(sc, cfg, dist);
    TrainingResult res = t.fit(data, test, false);
    RunStats st = t.stats();
    ObjectNode n = JSON.createObjectNode();
    n.put("bench", "scale-run");
    n.put("config", name);
    n.put("master", master);
    n.put("partitions", partitions);
    n.put("replicas", st.replicas);
    n.put("mode", dist.mode().configName());
    n.put("batch_per_replica", cfg.batchSize());
    n.put("local_steps", st.localSteps);
    n.put("jobs", st.jobs);
    n.put("epochs", res.history().size());
    n.put("test_accuracy", r(res.last().validationMetric()));
    n.put("train_seconds", r(MllibBench.sumEpochSeconds(res.history(), res.history().size())));
    n.put("seconds_to_88", r(MllibBench.secondsTo(res.history(), 0.88)));
    n.put("setup_seconds", r(st.setupSeconds));
    n.put("compute_us_per_row", r(st.computeSecondsPerRow() * 1e6));
    n.put("spark_share_of_wall", r(st.outsideComputeFraction()));
    n.put("job_overhead_ms", r(st.jobOverheadMs));
    if (st.collectiveSteps > 0) {
      n.put("collective_ms_per_step", r(1e3 * st.collectiveSeconds / st.collectiveSteps));
      n.put("wall_ms_per_step", r(1e3 * st.wallSeconds / st.collectiveSteps));
    }
    com.fasterxml.jackson.databind.node.ArrayNode curve = n.putArray("test_accuracy_by_epoch");
    for (var e : res.history()) {
      curve.add(r(e.validationMetric()));
    }
    System.out.println(n);
    return n;
  }

  static double r(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
  }
}
