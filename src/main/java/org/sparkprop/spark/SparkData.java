package org.sparkprop.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;

/**
 * Turns Spark data into what the trainer consumes: an RDD of packed, validated {@link Block}s, one
 * or more per partition (at most {@link org.sparkprop.data.BlockList#BLOCK_FLOATS} values each,
 * trained as one sequence of rows). Packing happens once, on the executors, in the same pass that
 * validates every row ({@link RowPacker}); any bad row fails the job with a message that names
 * it, before any step.
 */
public final class SparkData {

  private SparkData() {}

  /**
   * Packs {@code df}'s features (a Vector column), label (numeric, or a Vector for multi-output
   * regression) and optional weight column into blocks ({@link RowPacker}).
   *
   * @param partitions repartition to this many partitions first; 0 keeps the DataFrame's
   * @param expectedFeatures the width every vector must have; 0 = take the first row's
   */
  public static JavaRDD<Block> pack(Dataset<Row> df, String featuresCol, String labelCol,
                                    String weightCol, int partitions, int expectedFeatures) {
    StructType schema = df.schema();
    checkColumn(schema, featuresCol, "features", true);
    boolean vectorLabel = checkColumn(schema, labelCol, "label", false);
    boolean weighted = weightCol != null && !weightCol.isEmpty();
    if (weighted && (checkColumn(schema, weightCol, "weight", false)
        || schema.apply(weightCol).dataType().equals(DataTypes.BooleanType))) {
      throw new IllegalArgumentException("weight column '" + weightCol + "' must be numeric");
    }
    Dataset<Row> selected = weighted ? df.select(featuresCol, labelCol, weightCol)
        : df.select(featuresCol, labelCol);
    if (partitions > 0 && partitions != selected.rdd().getNumPartitions()) {
      selected = selected.repartition(partitions);
    }
    return selected.javaRDD().mapPartitions(
        rows -> new RowPacker(rows, expectedFeatures, vectorLabel, weighted), true);
  }

  /** Returns whether the column is a vector; throws a clear error for a wrong or missing type. */
  private static boolean checkColumn(StructType schema, String col, String role, boolean mustBeVector) {
    if (!java.util.Arrays.asList(schema.fieldNames()).contains(col)) {
      throw new IllegalArgumentException("no " + role + " column '" + col + "' in the data (columns: "
          + String.join(", ", schema.fieldNames()) + ")");
    }
    DataType t = schema.apply(col).dataType();
    boolean vector = t.equals(SQLDataTypes.VectorType());
    if (mustBeVector && !vector) {
      throw new IllegalArgumentException(role + " column '" + col + "' must be of type Vector "
          + "(org.apache.spark.ml.linalg), but is " + t.simpleString()
          + "; assemble it with VectorAssembler");
    }
    if (!mustBeVector && !vector && !(t instanceof NumericType) && !t.equals(DataTypes.BooleanType)) {
      throw new IllegalArgumentException(role + " column '" + col + "' must be numeric but is "
          + t.simpleString() + (role.equals("label") ? "; index string labels with StringIndexer" : ""));
    }
    return vector;
  }

  /**
   * Splits driver-side data into {@code partitions} blocks and distributes them through one
   * broadcast. Not {@code sc.parallelize(blocks)}: that RDD's partitions carry the data itself, and
   * Spark serialises a task's partition into every task of every job, cached or not, so each
   * training step would ship the whole dataset again (measured: ~300 ms per job for Fashion-MNIST).
   * Here partitions are just indices and each shard is a broadcast of its own: an executor fetches
   * only the shards of its partitions, once, and a lost partition is rebuilt from its broadcast.
   */
  public static JavaRDD<Block> distribute(JavaSparkContext sc, Block data, int partitions) {
    List<org.apache.spark.broadcast.Broadcast<Block>> shards = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (Block shard : Blocks.shards(data, partitions)) {
      ids.add(shards.size());
      shards.add(sc.broadcast(shard));
    }
    return sc.parallelize(ids, partitions).map(i -> shards.get(i).value());
  }

  /**
   * Splits every block into a training and a held-out part ({@code fraction} of its rows), seeded
   * by (seed, partition, block): the validation split for data read through Spark. Blocks of
   * fewer than two rows stay whole in the training part.
   */
  public static JavaRDD<Block>[] holdOut(JavaRDD<Block> blocks, double fraction, long seed) {
    @SuppressWarnings("unchecked")
    JavaRDD<Block>[] parts = new JavaRDD[2];
    for (int side = 0; side < 2; side++) {
      int keep = side;
      parts[side] = blocks.mapPartitionsWithIndex((p, it) -> {
        List<Block> out = new ArrayList<>();
        for (int k = 0; it.hasNext(); k++) {
          Block b = it.next();
          int held = (int) Math.round(b.rows() * fraction);
          if (b.rows() < 2 || held == 0 || held == b.rows()) {
            out.add(keep == 0 ? b : Block.empty(b.features(), b.labelWidth(), b.weighted()));
          } else {
            long s = k == 0 ? org.sparkprop.linalg.Rng.derive(seed, p)
                : org.sparkprop.linalg.Rng.derive2(seed, p, k);
            out.add(Blocks.split(b, fraction, s)[keep]);
          }
        }
        return out.iterator();
      }, true);
    }
    return parts;
  }

  /**
   * Driver-side data as a DataFrame (features: Vector, label: double, and weight: double when the
   * block is weighted), distributed like {@link #distribute}, so the data does not ride in the plan.
   */
  public static Dataset<Row> toDataFrame(org.apache.spark.sql.SparkSession spark, Block data,
                                         int partitions) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    boolean weighted = data.weighted();
    JavaRDD<Row> rows = distribute(sc, data, partitions).flatMap(b -> {
      List<Row> out = new ArrayList<>(b.rows());
      int f = b.features();
      for (int r = 0; r < b.rows(); r++) {
        double[] x = new double[f];
        for (int j = 0; j < f; j++) {
          x[j] = b.x()[r * f + j];
        }
        org.apache.spark.ml.linalg.Vector v = org.apache.spark.ml.linalg.Vectors.dense(x);
        out.add(weighted ? org.apache.spark.sql.RowFactory.create(v, (double) b.y()[r], (double) b.w()[r])
            : org.apache.spark.sql.RowFactory.create(v, (double) b.y()[r]));
      }
      return out.iterator();
    });
    StructType schema = new StructType()
        .add("features", SQLDataTypes.VectorType(), false)
        .add("label", DataTypes.DoubleType, false);
    if (weighted) {
      schema = schema.add("weight", DataTypes.DoubleType, false);
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Runs a Spark action and, if it failed because of bad data, rethrows the cause's own message
   * (Spark wraps it in "Job aborted due to stage failure ...").
   */
  public static RuntimeException unwrap(Exception e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof IllegalArgumentException iae) {
        return new IllegalArgumentException(iae.getMessage(), e);
      }
      t = t.getCause();
    }
    if (e instanceof SparkException se) {
      String msg = se.getMessage();
      int i = msg == null ? -1 : msg.indexOf("IllegalArgumentException: ");
      if (i >= 0) {
        String m = msg.substring(i + "IllegalArgumentException: ".length());
        int end = m.indexOf('\n');
        return new IllegalArgumentException(end > 0 ? m.substring(0, end) : m, e);
      }
    }
    return e instanceof RuntimeException re ? re : new RuntimeException(e);
  }

  /**
   * What the first job of a fit learns of each partition ({@link #partitionCensus}). A task
   * result: written by Java serialization under any {@code spark.serializer}, since the Kryo that
   * KryoSerializer brings cannot write records (KryoSerializerTest).
   */
  @com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
  record PartitionInfo(int rows, String executor, String blas, long sample)
      implements java.io.Serializable {}

  /**
   * Per partition, in one job: its rows, the executor that holds it, the BLAS backend that executor
   * computes with, and a hash of a sample of its content (every row's first label, first and last
   * feature, summed over rows so that the rows' order within the partition does not matter),
   * which tells two datasets of equal shape apart without reading every value.
   */
  static List<PartitionInfo> partitionCensus(JavaRDD<Block> blocks) {
    return blocks.mapPartitions(it -> {
      int n = 0;
      long h = 0;                                        // a sum of row hashes: any row order
      while (it.hasNext()) {
        Block b = it.next();
        int f = b.features();
        for (int r = 0; r < b.rows(); r++) {
          long row = 0xcbf29ce484222325L;                // FNV-1a over the row's label, first and last feature
          row = (row ^ Float.floatToIntBits(b.y()[r * b.labelWidth()])) * 0x100000001b3L;
          if (f > 0) {
            row = (row ^ Float.floatToIntBits(b.x()[r * f])) * 0x100000001b3L;
            row = (row ^ Float.floatToIntBits(b.x()[r * f + f - 1])) * 0x100000001b3L;
          }
          h += row;
        }
        n += b.rows();
      }
      String executor = org.apache.spark.SparkEnv.get() == null ? "driver"
          : org.apache.spark.SparkEnv.get().executorId();
      return List.of(new PartitionInfo(n, executor, org.sparkprop.linalg.Blas.fast().name(), h))
          .iterator();
    }).collect();
  }

  /** Lists the blocks' row counts, one per partition, in partition order (materialises the RDD). */
  static int[] partitionRows(JavaRDD<Block> blocks) {
    List<Integer> counts = blocks.mapPartitions(it -> {
      int n = 0;
      while (it.hasNext()) {
        n += it.next().rows();
      }
      return List.of(n).iterator();
    }).collect();
    int[] out = new int[counts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = counts.get(i);
    }
    return out;
  }
}
