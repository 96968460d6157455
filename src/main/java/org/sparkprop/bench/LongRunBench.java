package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkData;
import org.sparkprop.spark.SparkSessions;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.spark.SyncMode;
import org.sparkprop.train.EpochMetrics;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingListener;

/**
 * {@code scripts/bench.sh longrun [STEPS]}: a long synchronous run in local[2] (one Spark job per
 * step, a fresh ~0.9 MB broadcast each) printing the driver's heap after GC every 1,000 steps
 * (every tenth of the run when it is shorter).
 * Leaked broadcasts or growing lineage would show as steady growth.
 */
public final class LongRunBench {

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    SparkConf conf = SparkSessions.defaults(new SparkConf(), "local[2]").set("spark.ui.enabled", "false")
        .set("spark.app.name", "sparkprop-bench-longrun");
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      Block data = ToySets.blobs(1000, 10, 784, 1.0, 3);
      int epochs = steps / 10;                                   // 100 rows per step: 10 per epoch
      TrainConfig cfg = TrainConfig.builder().network("784-256relu-10").learningRate(1e-3)
          .batchSize(100).epochs(epochs).build();
      MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
      List<Double> heapMb = new ArrayList<>();
      List<Long> at = new ArrayList<>();
      long t0 = System.nanoTime();
      TrainingListener probe = new TrainingListener() {
        @Override
        public void onEpoch(EpochMetrics m) {
          if (m.step() % Math.min(1000, Math.max(10, steps / 10)) == 0) {
            for (int i = 0; i < 3; i++) {
              System.gc();
            }
            heapMb.add(Math.round(mx.getHeapMemoryUsage().getUsed() / 1e5) / 10.0);
            at.add(m.step());
          }
        }
      };
      DistributedTrainer t = new DistributedTrainer(sc, cfg,
          SparkTrainConfig.defaults().withMode(SyncMode.SYNC)).listener(probe);
      t.fit(SparkData.distribute(sc, data, 2), null, false);
      double seconds = (System.nanoTime() - t0) / 1e9;
      ObjectNode out = new ObjectMapper().createObjectNode();
      out.put("bench", "longrun");
      out.put("master", "local[2]");
      out.put("steps", t.stats().jobs);
      out.put("ms_per_step", Math.round(seconds / t.stats().jobs * 1e5) / 100.0);
      out.put("heap_mb_after_gc", heapMb.toString());
      out.put("at_steps", at.toString());
      if (heapMb.size() >= 2) {
        double growth = heapMb.get(heapMb.size() - 1) - heapMb.get(0);
        out.put("growth_mb_after_first_probe", Math.round(growth * 10) / 10.0);
        out.put("growth_kb_per_step", Math.round(growth * 1000 / Math.max(1,
            at.get(at.size() - 1) - at.get(0)) * 100) / 100.0);
      }
      System.out.println(out);
    } finally {
      spark.stop();
    }
  }
}
