package org.sparkprop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;
import org.sparkprop.ml.SparkpropClassificationModel;
import org.sparkprop.ml.SparkpropClassifier;
import org.sparkprop.spark.SparkData;
import org.sparkprop.train.Predictor;

/**
 * {@code scripts/bench.sh predict}: Spark ML {@code transform} throughput on {@code local[2]}, the
 * output materialised into Spark's {@code noop} sink, for a Sparkprop model and MLlib's
 * MultilayerPerceptronClassifier with the same layers (784-256-128-10, weights from one quick
 * epoch / iteration on Fashion-MNIST: throughput does not depend on them), on the same rows:
 * Fashion-MNIST's 60,000 training rows cached as a DataFrame and read 17 times (1,020,000 rows).
 * The engine's bound: two threads each scoring the same rows in blocks of 256 with a
 * {@link Predictor}, with no Spark and no Vectors. Each figure is the median of three timed runs
 * after a warm-up. Last line {@code "bench":"predict"} with the ratios.
 *
 * <p>Usage: PredictBench FASHION_DIR
 */
public final class PredictBench {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int COPIES = 17;

  public static void main(String[] args) throws Exception {
    Block train = IdxReader.readSplit(Path.of(args[0]), true).block();
    SparkSession spark = BenchSession.start("local[2]", "predict", null, 0);
    try {
      Dataset<Row> once = SparkData.toDataFrame(spark, train, 2).persist(StorageLevel.MEMORY_ONLY());
      long n = once.count();
      Dataset<Row> rows = once;
      for (int i = 1; i < COPIES; i++) {
        rows = rows.union(once);
      }
      long total = n * COPIES;
      SparkpropClassificationModel ours = new SparkpropClassifier().setHiddenLayers("256relu-128relu")
          .setMaxIter(1).setPatience(0).setNumReplicas(2).setSeed(1).fit(once);
      Model<?> mlpc = new MultilayerPerceptronClassifier().setLayers(new int[] {784, 256, 128, 10})
          .setMaxIter(1).setSeed(1).fit(once);
      double sparkprop = rowsPerSecond(ours, rows, total);
      double mllib = rowsPerSecond(mlpc, rows, total);
      double engine = engineRowsPerSecond(ours.engineModel(), train, COPIES);
      ObjectNode s = JSON.createObjectNode();
      s.put("bench", "predict");
      s.put("rows", total);
      s.put("network", ours.engineModel().network().spec().toString());
      s.put("sparkprop_rows_per_s", Math.round(sparkprop));
      s.put("mlpc_rows_per_s", Math.round(mllib));
      s.put("engine_rows_per_s", Math.round(engine));
      s.put("ratio_to_mlpc", r(sparkprop / mllib));
      s.put("ratio_to_engine", r(sparkprop / engine));
      System.out.println(s);
    } finally {
      spark.stop();
    }
  }

  /** Median of three timed runs of transform into the noop sink, after one warm-up. */
  static double rowsPerSecond(Model<?> m, Dataset<Row> rows, long total) {
    double[] t = new double[3];
    for (int i = -1; i < t.length; i++) {
      long t0 = System.nanoTime();
      m.transform(rows).write().format("noop").mode("overwrite").save();
      if (i >= 0) {
        t[i] = (System.nanoTime() - t0) / 1e9;
      }
    }
    java.util.Arrays.sort(t);
    ObjectNode n = JSON.createObjectNode();
    n.put("bench", "predict-run");
    n.put("model", m.getClass().getSimpleName());
    n.put("rows", total);
    n.put("seconds", r(t[1]));
    n.put("rows_per_s", Math.round(total / t[1]));
    System.out.println(n);
    return total / t[1];
  }

  /** Two threads, each scoring half of the rows {@code copies} times in blocks of 256. */
  static double engineRowsPerSecond(org.sparkprop.train.Model m, Block data, int copies)
      throws Exception {
    int f = data.features();
    float[] x = data.x();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      double[] t = new double[3];
      for (int i = -1; i < t.length; i++) {
        long t0 = System.nanoTime();
        Future<?>[] parts = new Future<?>[2];
        for (int k = 0; k < 2; k++) {
          int lo = k * data.rows() / 2;
          int hi = (k + 1) * data.rows() / 2;
          parts[k] = pool.submit(() -> {
            Predictor p = m.predictor(256);
            float[] block = new float[256 * f];
            for (int c = 0; c < copies; c++) {
              for (int r = lo; r < hi; r += 256) {
                int rows = Math.min(256, hi - r);
                System.arraycopy(x, r * f, block, 0, rows * f);
                p.scores(block, rows);
              }
            }
          });
        }
        for (Future<?> p : parts) {
          p.get();
        }
        if (i >= 0) {
          t[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      java.util.Arrays.sort(t);
      return (double) data.rows() * copies / t[1];
    } finally {
      pool.shutdown();
    }
  }

  static double r(double v) {
    return Math.round(v * 1e3) / 1e3;
  }
}
