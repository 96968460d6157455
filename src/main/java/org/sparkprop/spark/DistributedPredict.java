package org.sparkprop.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.data.Block;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;
import org.sparkprop.train.Model;
import org.sparkprop.train.Predictor;

/**
 * A saved model's predictions for distributed blocks, computed on the executors in batches of
 * {@link #BATCH} rows, as a DataFrame with the columns of {@code sparkprop predict}'s CSV:
 * <pre>
 *   class          row, class, [name]         argmax class (and its name when labels were text)
 *   probabilities  row, p0 .. p(K-1)          predicted distribution
 *   sample         row, sampled_class         a class drawn from it; row g from the stream (seed, g)
 *   values         row, y0 .. y(outputs-1)    raw outputs: regression values, classifiers' scores
 * </pre>
 * {@code row} numbers rows in partition order: for one file, its row order, the same table as
 * the driver-side predict's. A source of several files (Parquet part files, a CSV folder) is split
 * by Spark largest file first, so there {@code row} follows Spark's split order, not file names.
 */
public final class DistributedPredict {

  static final int BATCH = 512;

  private DistributedPredict() {}

  /**
   * What an executor needs to rebuild the model; broadcast once per prediction. Written by Java
   * serialization under any {@code spark.serializer}: Kryo cannot write records (nor the Scaler
   * record inside).
   */
  @com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
  record Shipped(String network, String loss, float[] params, float[] netState, Scaler scaler,
                 List<String> classNames) implements Serializable {
    Model model() {
      return new Model(Network.of(network, loss), params, netState, scaler, classNames, Map.of());
    }
  }

  public static StructType schema(Model m, String mode) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField("row", DataTypes.LongType, false));
    switch (mode) {
      case "class" -> {
        f.add(DataTypes.createStructField("class", DataTypes.IntegerType, false));
        if (m.classNames() != null) {
          f.add(DataTypes.createStructField("name", DataTypes.StringType, false));
        }
      }
      case "sample" -> f.add(DataTypes.createStructField("sampled_class", DataTypes.IntegerType, false));
      case "probabilities" -> {
        for (int k = 0; k < m.numClasses(); k++) {
          f.add(DataTypes.createStructField("p" + k, DataTypes.DoubleType, false));
        }
      }
      case "values" -> {
        for (int k = 0; k < m.network().outputSize(); k++) {
          f.add(DataTypes.createStructField("y" + k, DataTypes.DoubleType, false));
        }
      }
      default -> throw new IllegalArgumentException("mode must be class, probabilities, sample or "
          + "values, got '" + mode + "'");
    }
    return DataTypes.createStructType(f);
  }

  /**
   * Predictions for {@code blocks} (unscaled, as read): lazy, computed when the result is written.
   * Runs one job first, for each partition's first row number.
   */
  public static Dataset<Row> of(SparkSession spark, Model m, JavaRDD<Block> blocks, String mode,
                                long seed) {
    String md = mode.toLowerCase(Locale.ROOT);
    StructType schema = schema(m, md);
    if (!md.equals("values") && !m.isClassifier()) {
      throw new IllegalArgumentException("a regression model predicts values: use --mode values");
    }
    int[] rows = SparkData.partitionRows(blocks);
    long[] first = new long[rows.length];
    for (int p = 1; p < rows.length; p++) {
      first[p] = first[p - 1] + rows[p - 1];
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Shipped> model = sc.broadcast(new Shipped(m.network().spec().toString(),
        m.network().loss().name(), m.params(), m.netState(), m.scaler(), m.classNames()));
    JavaRDD<Row> out = blocks.mapPartitionsWithIndex(new PredictRows(model, first, md, seed), true);
    return spark.createDataFrame(out, schema);
  }

  /** One partition's blocks → its rows of predictions, a batch at a time. */
  static final class PredictRows implements Function2<Integer, Iterator<Block>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Shipped> shipped;
    private final long[] first;
    private final String mode;
    private final long seed;

    PredictRows(Broadcast<Shipped> shipped, long[] first, String mode, long seed) {
      this.shipped = shipped;
      this.first = first;
      this.mode = mode;
      this.seed = seed;
    }

    @Override
    public Iterator<Row> call(Integer partition, Iterator<Block> blocks) {
      Model m = shipped.value().model();
      Predictor p = m.predictor(BATCH);
      long[] next = {first[partition]};
      return new Iterator<>() {
        Block b;
        int lo;
        Iterator<Row> batch = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!batch.hasNext()) {
            if (b == null || lo >= b.rows()) {
              if (!blocks.hasNext()) {
                return false;
              }
              b = blocks.next();
              lo = 0;
              if (b.rows() > 0 && b.features() != m.numFeatures()) {
                throw new IllegalArgumentException("the data has " + b.features() + " features; the "
                    + "model expects " + m.numFeatures() + " (partition " + partition + ")");
              }
              continue;
            }
            int n = Math.min(BATCH, b.rows() - lo);
            batch = rows(m, p, b, lo, n, next[0]).iterator();
            lo += n;
            next[0] += n;
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return batch.next();
        }
      };
    }

    private List<Row> rows(Model m, Predictor p, Block b, int lo, int n, long row0) {
      int f = b.features();
      float[] x = java.util.Arrays.copyOfRange(b.x(), lo * f, (lo + n) * f);
      List<Row> out = new ArrayList<>(n);
      switch (mode) {
        case "class", "sample" -> {
          int[] classes = new int[n];
          if (mode.equals("class")) {
            p.classes(x, n, classes);
          } else {
            p.sample(x, n, seed, row0, classes);
          }
          for (int r = 0; r < n; r++) {
            out.add(mode.equals("class") && m.classNames() != null
                ? RowFactory.create(row0 + r, classes[r], m.classNames().get(classes[r]))
                : RowFactory.create(row0 + r, classes[r]));
          }
        }
        default -> {                                           // probabilities, values
          float[] s = p.scores(x, n).clone();
          int outputs = m.network().outputSize();
          for (int r = 0; r < n; r++) {
            float[] sr = java.util.Arrays.copyOfRange(s, r * outputs, (r + 1) * outputs);
            Object[] cells;
            if (mode.equals("values")) {
              cells = new Object[1 + outputs];
              for (int k = 0; k < outputs; k++) {
                cells[1 + k] = (double) sr[k];
              }
            } else {
              double[] probs = p.probabilitiesOfScores(sr);
              cells = new Object[1 + probs.length];
              for (int k = 0; k < probs.length; k++) {
                cells[1 + k] = probs[k];
              }
            }
            cells[0] = row0 + r;
            out.add(RowFactory.create(cells));
          }
        }
      }
      return out;
    }
  }
}
