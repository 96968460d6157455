package org.sparkprop.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code scripts/bench.sh aggregate}: the cost of summing one gradient-sized partial (235,146
 * floats) per partition with {@link FixedTree} (the default, an order fixed by partition index)
 * against Spark's {@code treeAggregate} (depth 2, completion order), on local[2], at 4, 32 and 64
 * partitions; the median of 7 interleaved runs each (each run also builds the partials, as a
 * training job's tasks do). It lives here because partials are package-private.
 */
public final class AggregationBench {

  private AggregationBench() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSessions.create("local[2]", false);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int n = 235_146;
    try {
      for (int p : new int[] {4, 32, 64}) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < p; i++) {
          ids.add(i);
        }
        JavaRDD<Partial> rdd = sc.parallelize(ids, p).map(i -> {
          Partial x = new Partial();
          x.vector = new float[n];
          Arrays.fill(x.vector, i);
          return x;
        });
        double[] fixed = new double[7];
        double[] tree = new double[7];
        for (int r = 0; r < fixed.length; r++) {
          long t0 = System.nanoTime();
          FixedTree.sum(rdd);
          long t1 = System.nanoTime();
          rdd.treeAggregate(new Partial(), Partial::merge, Partial::merge, 2);
          long t2 = System.nanoTime();
          fixed[r] = (t1 - t0) / 1e6;
          tree[r] = (t2 - t1) / 1e6;
        }
        Arrays.sort(fixed);
        Arrays.sort(tree);
        System.out.printf(Locale.ROOT, "{\"bench\":\"aggregate\",\"partitions\":%d,\"floats\":%d,"
            + "\"fixed_tree_ms\":%.1f,\"tree_aggregate_ms\":%.1f,\"ratio\":%.3f}%n", p, n, fixed[3],
            tree[3], fixed[3] / tree[3]);
      }
    } finally {
      spark.stop();
    }
  }
}
