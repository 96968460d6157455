package org.sparkprop.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;
import org.sparkprop.data.ImageAugmentation;
import org.sparkprop.linalg.Rng;

/**
 * The data of {@code scripts/bench.sh bigdata}: N augmented Fashion-MNIST training images as
 * Parquet, as a pandas or pyarrow job would write them (features {@code array<float>} of 784
 * pixels in [0, 1], label {@code int}). Row i is training image i mod 60,000, shifted by up to 2
 * pixels each way with N(0, 0.05²) noise, seeded by i, so the set is the same on every run.
 *
 * <p>Usage: {@code BigDataSet FASHION_DIR ROWS OUT_DIR [FILES]} (on local[2]).
 */
public final class BigDataSet {

  private BigDataSet() {}

  public static void main(String[] args) throws Exception {
    Path fashion = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    String out = args[2];
    int files = args.length > 3 ? Integer.parseInt(args[3]) : 48;
    Block train = IdxReader.readSplit(fashion, true).block();
    SparkSession spark = BenchSession.start("local[2]", "bigdata-generate", null, 0);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<Block> source = sc.broadcast(train);
      List<Integer> parts = new ArrayList<>();
      for (int p = 0; p < files; p++) {
        parts.add(p);
      }
      JavaRDD<Row> augmented = sc.parallelize(parts, files).flatMap(p -> {
        Block b = source.value();
        int f = b.features();
        long from = rows * p / files;
        long to = rows * (p + 1) / files;
        ImageAugmentation aug = new ImageAugmentation(28, 28, 2, 0.05);
        Rng rng = new Rng(0);
        List<Row> batch = new ArrayList<>((int) (to - from));
        for (long i = from; i < to; i++) {
          int r = (int) (i % b.rows());
          float[] x = java.util.Arrays.copyOfRange(b.x(), r * f, (r + 1) * f);
          rng.reseed(Rng.derive(20261202L, i));
          aug.apply(x, 1, f, rng);
          batch.add(RowFactory.create(x, (int) b.y()[r]));
        }
        return batch.iterator();
      });
      StructType schema = new StructType()
          .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("label", DataTypes.IntegerType, false);
      spark.createDataFrame(augmented, schema).write().mode(SaveMode.Overwrite).parquet(out);
      System.out.println("{\"bench\":\"bigdata-generate\",\"rows\":" + rows + ",\"files\":" + files
          + ",\"out\":\"" + out + "\"}");
    } finally {
      spark.stop();
    }
  }
}
