package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@code scripts/bench.sh jobcost}: what one driver-centric synchronisation costs, with no compute:
 * the driver broadcasts {@code slots × n} floats, each of P tasks returns {@code slots × n} floats,
 * and treeAggregate sums them (depth 2 or 3), as a synchronous step (1 slot: the weights, then the
 * gradient) or a local-SGD round with Adam (3 slots: weights and two moments) does. Payloads: 1
 * float (Spark's fixed cost), the 235k-parameter MLP 784-256-128-10 and a 10M-parameter MLP. Each
 * line is the median of the measured jobs after warm-up jobs; the inputs of docs/costmodel.py.
 *
 * <p>Usage: JobCostBench MASTER TASKS [APP_JAR]
 */
public final class JobCostBench {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int MLP_SMALL = 235_146;       // 784-256-128-10
  static final int MLP_LARGE = 10_049_418;    // 784-4096-1664-10

  public static void main(String[] args) throws Exception {
    String master = args[0];
    int tasks = Integer.parseInt(args[1]);
    SparkSession spark = BenchSession.start(master, "jobcost", args.length > 2 ? args[2] : null, 0);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        ids.add(i);
      }
      JavaRDD<Integer> rdd = sc.parallelize(ids, tasks).cache();
      rdd.count();
      measure(sc, rdd, master, tasks, 1, 1, 2, 20, 30);          // the first: a longer warm-up
      measure(sc, rdd, master, tasks, MLP_SMALL, 1, 2, 5, 30);
      measure(sc, rdd, master, tasks, MLP_SMALL, 3, 2, 3, 20);
      measure(sc, rdd, master, tasks, MLP_SMALL, 3, 3, 3, 20);
      if (tasks <= 8) {
        measure(sc, rdd, master, tasks, MLP_LARGE, 1, 2, 1, 5);
        measure(sc, rdd, master, tasks, MLP_LARGE, 1, 3, 1, 5);
      }
    } finally {
      spark.stop();
    }
  }

  static void measure(JavaSparkContext sc, JavaRDD<Integer> rdd, String master, int tasks, int n,
                      int slots, int depth, int warmup, int jobs) {
    float[][] weights = new float[slots][n];
    double[] ms = new double[jobs];
    for (int j = -warmup; j < jobs; j++) {
      long t0 = System.nanoTime();
      Broadcast<float[][]> bc = sc.broadcast(weights);
      float[][] sum = rdd.map(i -> {
        float[][] w = bc.value();
        float[][] out = new float[w.length][];
        for (int k = 0; k < w.length; k++) {
          out[k] = w[k].clone();
        }
        return out;
      }).treeAggregate(null, JobCostBench::add, JobCostBench::add, depth);
      bc.destroy();
      if (j >= 0) {
        ms[j] = (System.nanoTime() - t0) / 1e6;
      }
      weights = sum;
    }
    Arrays.sort(ms);
    ObjectNode o = JSON.createObjectNode();
    o.put("bench", "jobcost");
    o.put("master", master);
    o.put("tasks", tasks);
    o.put("floats", n);
    o.put("slots", slots);
    o.put("depth", depth);
    o.put("bytes_broadcast", 4L * n * slots);
    o.put("bytes_returned", 4L * n * slots * tasks);
    o.put("job_ms_median", Math.round(ms[jobs / 2] * 100) / 100.0);
    o.put("job_ms_min", Math.round(ms[0] * 100) / 100.0);
    System.out.println(o);
  }

  static float[][] add(float[][] a, float[][] b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    for (int k = 0; k < a.length; k++) {
      for (int i = 0; i < a[k].length; i++) {
        a[k][i] += b[k][i];
      }
    }
    return a;
  }
}
