package org.sparkprop.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.sparkprop.data.BadRows;
import org.sparkprop.data.Block;
import org.sparkprop.data.CsvReader;
import org.sparkprop.data.IdxReader;
import org.sparkprop.data.LibsvmReader;
import org.sparkprop.data.ToySets;
import org.sparkprop.spark.IdxOnExecutors;
import org.sparkprop.spark.SparkData;

/**
 * Resolves data sources of the form {@code kind:location} (see sparkprop-defaults.conf) into packed
 * blocks: on the driver for local files and generated data, through Spark's own readers for
 * Parquet and for paths on distributed file systems.
 */
final class DataSources {

  /** Loaded data: driver-side block or distributed blocks, plus what is known about it. */
  record Loaded(String source, Block block, JavaRDD<Block> rdd, List<String> classNames,
                long droppedRows) {

    JavaRDD<Block> distributed(JavaSparkContext sc, int partitions) {
      return rdd != null ? rdd : SparkData.distribute(sc, block, partitions);
    }

    Block local() {
      if (block == null) {
        throw new IllegalArgumentException(source + " is read through Spark; use the spark trainer");
      }
      return block;
    }

    /**
     * Text labels renumbered as the model numbers its classes ({@code modelClasses}, null for a
     * model trained on numeric labels): a file's own names are numbered in its sorted order, so
     * a file missing a class would otherwise shift every label after it.
     */
    Loaded alignedTo(List<String> modelClasses) {
      if (classNames == null || classNames.equals(modelClasses)) {
        return this;
      }
      if (modelClasses == null) {
        throw new IllegalArgumentException(source + " has text labels (" + String.join(", ",
            classNames) + ") but the model was trained on numeric labels; give numeric labels");
      }
      int[] index = new int[classNames.size()];
      for (int i = 0; i < index.length; i++) {
        index[i] = modelClasses.indexOf(classNames.get(i));
        if (index[i] < 0) {
          throw new IllegalArgumentException("label '" + classNames.get(i) + "' in " + source
              + " is not a class of the model (" + String.join(", ", modelClasses) + ")");
        }
      }
      if (block == null) {                                 // read by Spark: remapped there
        return new Loaded(source, null, rdd.map(b -> renumbered(b, index)), modelClasses,
            droppedRows);
      }
      return new Loaded(source, renumbered(block, index), null, modelClasses, droppedRows);
    }

    private static Block renumbered(Block b, int[] index) {
      if (b.rows() == 0) {
        return b;
      }
      float[] y = b.y().clone();
      for (int r = 0; r < y.length; r++) {
        int k = (int) y[r];
        if (k < 0 || k >= index.length || k != y[r]) {
          throw new IllegalArgumentException("row " + r + " has label " + y[r] + ", not one of the "
              + index.length + " classes the source named");
        }
        y[r] = index[k];
      }
      return new Block(b.rows(), b.features(), b.labelWidth(), b.x(), y, b.w(), "renumbered labels");
    }

    /** Refuses, before any work, a driver-side block the network cannot read (width, labels). */
    Loaded checkedAgainst(org.sparkprop.nn.Network net, String what) {
      if (block != null) {
        org.sparkprop.data.Blocks.checkFits(block, net, what + " " + source);
      }
      return this;
    }
  }

  private final RunConfig cfg;
  private boolean labelsOptional;
  /** Local CSV, LIBSVM and IDX data at least this large is read by Spark's executors; < 0: never. */
  private long executorReadBytes = -1;
  private int expectedFeatures;

  DataSources(RunConfig cfg) {
    this.cfg = cfg;
  }

  /**
   * The width the model expects, for sources that infer theirs (LIBSVM with
   * {@code data.libsvm.numFeatures = 0}: a file whose last features are all zero is not narrower).
   */
  DataSources expectFeatures(int features) {
    expectedFeatures = features;
    return this;
  }

  /** For prediction: a Parquet source without the label column reads as labels 0. */
  DataSources labelsOptional() {
    labelsOptional = true;
    return this;
  }

  /** Fashion-MNIST's directory, or a clear error saying how to get it. */
  static Path fashionMnistDir() {
    String env = System.getenv("SPARKPROP_FASHION_MNIST");
    for (String d : new String[] {env, "/usr/share/datasets/fashion-mnist", "data/fashion-mnist"}) {
      if (d != null && Files.isRegularFile(Path.of(d, "t10k-labels-idx1-ubyte.gz"))) {
        return Path.of(d);
      }
    }
    throw new IllegalArgumentException("Fashion-MNIST not found: run scripts/setup.sh --data (Debian's "
        + "dataset-fashion-mnist, or the public download into data/), or set SPARKPROP_FASHION_MNIST");
  }

  /** Whether the source is read through Spark (Parquet, or a distributed file system path). */
  static boolean needsSpark(String spec) {
    int colon = spec.indexOf(':');
    String kind = colon > 0 ? spec.substring(0, colon).toLowerCase(Locale.ROOT) : "";
    return kind.equals("parquet") || (kind.equals("libsvm") || kind.equals("csv") || kind.equals("idx"))
        && isDistributed(spec.substring(colon + 1));
  }

  /**
   * Local CSV, LIBSVM and IDX files of at least {@code bytes} are read by Spark on the executors
   * (in parallel, and never held whole on the driver), as Hadoop paths are: for local masters,
   * whose executors see the driver's files.
   */
  DataSources readLargeLocalFilesOnExecutors(long bytes) {
    this.executorReadBytes = bytes;
    return this;
  }

  /** The local path as a file: URI when it should be read on the executors (see above). */
  private String onExecutors(String where, String spec, SparkSession spark, String... names)
      throws IOException {
    if (executorReadBytes < 0 || spark == null || isDistributed(where)) {
      return null;
    }
    Path p = LocalPaths.of(where, spec);
    long size = 0;
    if (Files.isDirectory(p)) {
      for (String n : names) {
        for (String f : new String[] {n, n + ".gz"}) {
          if (Files.isRegularFile(p.resolve(f))) {
            size += Files.size(p.resolve(f));
          }
        }
      }
    } else if (Files.isRegularFile(p)) {
      size = Files.size(p);
    }
    if (size < executorReadBytes || size == 0) {
      return null;
    }
    System.err.printf("[sparkprop] %s: %,d bytes, read by Spark on the executors "
        + "(data.executorReadBytes = %,d)%n", spec, size, executorReadBytes);
    return p.toAbsolutePath().toUri().toString();
  }

  Loaded load(String spec, SparkSession spark, int partitions) throws IOException {
    int colon = spec.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("data source '" + spec + "' is not kind:location "
          + "(fashion-mnist:, idx:, libsvm:, csv:, parquet:, toy:)");
    }
    String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
    String where = spec.substring(colon + 1);
    BadRows bad = BadRows.parse(cfg.string("data.badRows"));
    switch (kind) {
      case "fashion-mnist" -> {
        boolean train = split(where, spec);
        return from(spec, IdxReader.readSplit(fashionMnistDir(), train));
      }
      case "idx" -> {
        int hash = where.lastIndexOf('#');
        if (hash < 0) {
          throw new IllegalArgumentException("idx source '" + spec + "' needs #train or #test");
        }
        String folder = where.substring(0, hash);
        boolean train = split(where.substring(hash + 1), spec);
        String prefix = train ? "train" : "t10k";
        String big = onExecutors(folder, spec, spark, prefix + "-images-idx3-ubyte",
            prefix + "-labels-idx1-ubyte");
        folder = big != null ? big : folder;
        if (isDistributed(folder) || big != null) {        // read by the executors, not the driver
          if (spark == null) {
            throw new IllegalArgumentException(spec + " is read through Spark; this command reads "
                + "driver-side sources only");
          }
          JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
          return new Loaded(spec, null, IdxOnExecutors.read(sc, folder, train, partitions), null, 0);
        }
        return from(spec, IdxReader.readSplit(LocalPaths.of(folder, spec), train));
      }
      case "libsvm" -> {
        String big = onExecutors(where, spec, spark);
        where = big != null ? big : where;
        if (isDistributed(where) || big != null) {
          int width = cfg.integer("data.libsvm.numFeatures");
          Dataset<Row> df = spark.read().format("libsvm")
              .option("numFeatures", width == 0 ? expectedFeatures : width).load(where);
          return fromFrame(spec, df, "features", "label", partitions);
        }
        int width = cfg.integer("data.libsvm.numFeatures");
        return from(spec, LibsvmReader.read(LocalPaths.of(where, spec),
            width == 0 ? expectedFeatures : width, bad));
      }
      case "csv" -> {
        String big = onExecutors(where, spec, spark);
        where = big != null ? big : where;
        if (isDistributed(where) || big != null) {
          return csvOnExecutors(spec, spark, where, bad, partitions);
        }
        CsvReader.Options o = new CsvReader.Options(cfg.string("data.csv.label"),
            cfg.bool("data.csv.header"), cfg.string("data.csv.delimiter").charAt(0),
            !cfg.string("model.loss").equals("squared"));
        return from(spec, CsvReader.read(LocalPaths.of(where, spec), o, bad));
      }
      case "parquet" -> {
        if (spark == null) {
          throw new IllegalArgumentException(spec + " is read through Spark; this command reads "
              + "driver-side sources only");
        }
        Dataset<Row> df = spark.read().parquet(where);
        return fromFrame(spec, df, cfg.string("data.parquet.features"), cfg.string("data.parquet.label"),
            partitions);
      }
      case "toy" -> {
        return new Loaded(spec, toy(where), null, null, 0);
      }
      default -> throw new IllegalArgumentException("unknown data source kind '" + kind
          + "'; expected fashion-mnist, idx, libsvm, csv, parquet or toy");
    }
  }

  /**
   * CSV on a distributed file system, read by Spark's CSV reader on the executors with today's
   * settings: the label column by name or 0-based index, the header and delimiter, the bad-row
   * policy (error: FAILFAST, drop: DROPMALFORMED); every other column is a numeric feature. Text
   * labels of a classifier are numbered in sorted order, as the driver-side reader numbers them.
   */
  private Loaded csvOnExecutors(String spec, SparkSession spark, String where, BadRows bad,
                                int partitions) {
    if (spark == null) {
      throw new IllegalArgumentException(spec + " is read through Spark; this command reads "
          + "driver-side sources only");
    }
    // Read as text, then cast: one unparsable or empty cell is a bad row (refused or dropped, as
    // data.badRows says), not a column silently turned to text.
    Dataset<Row> df = spark.read().option("header", cfg.bool("data.csv.header"))
        .option("sep", cfg.string("data.csv.delimiter"))
        .option("mode", bad == BadRows.DROP ? "DROPMALFORMED" : "FAILFAST").csv(where);
    String labelSetting = cfg.string("data.csv.label");
    String label = labelSetting;
    List<String> columns = java.util.Arrays.asList(df.columns());
    if (!columns.contains(labelSetting)) {
      try {
        label = df.columns()[Integer.parseInt(labelSetting)];
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        if (!labelsOptional) {
          throw new IllegalArgumentException(spec + ": no label column '" + labelSetting
              + "' (columns: " + String.join(", ", df.columns()) + "); set data.csv.label to a "
              + "header name or an index");
        }
        df = df.withColumn(labelSetting, functions.lit("0"));   // predict needs no labels
      }
    }
    List<Column> casts = new ArrayList<>();
    for (String c : df.columns()) {
      casts.add(c.equals(label) ? functions.col(c)
          : functions.col(c).try_cast(DataTypes.DoubleType).as(c));
    }
    Dataset<Row> typed = df.select(casts.toArray(new Column[0]));
    Column anyNull = functions.lit(false);
    for (String c : typed.columns()) {
      anyNull = anyNull.or(functions.col(c).isNull());
    }
    if (bad == BadRows.DROP) {
      typed = typed.filter(functions.not(anyNull));
    } else if (!typed.filter(anyNull).limit(1).isEmpty()) {
      throw new IllegalArgumentException(spec + ": a row has an empty or non-numeric feature, or "
          + "no label: " + typed.filter(anyNull).first() + " (set data.badRows = drop to skip such rows)");
    }
    Column numericLabel = functions.col(label).try_cast(DataTypes.DoubleType);  // null if text
    boolean numeric = typed.filter(numericLabel.isNull()).limit(1).isEmpty();
    List<String> classes = null;
    if (numeric) {
      typed = typed.withColumn(label, numericLabel);
    } else {
      if (cfg.string("model.loss").equals("squared")) {
        throw new IllegalArgumentException(spec + ": label column '" + label + "' is text; a "
            + "regression needs numeric labels");
      }
      classes = typed.select(label).distinct().orderBy(label).as(Encoders.STRING()).collectAsList();
      List<Column> pairs = new ArrayList<>();                 // name -> index, one flat map
      for (int k = 0; k < classes.size(); k++) {
        pairs.add(functions.lit(classes.get(k)));
        pairs.add(functions.lit((double) k));
      }
      typed = typed.withColumn(label, functions.element_at(
          functions.map(pairs.toArray(new Column[0])), functions.col(label)));
    }
    // No column is named like the features setting, so every other column is a feature.
    Dataset<Row> framed = ParquetFeatures.asVector(typed, "__sparkprop_no_such_column", label);
    return new Loaded(spec, null, SparkData.pack(framed, ParquetFeatures.COLUMN, label, null,
        partitions, expectedFeatures), classes, 0);
  }

  private static boolean split(String s, String spec) {
    return switch (s) {
      case "train" -> true;
      case "test" -> false;
      default -> throw new IllegalArgumentException("'" + spec + "': expected train or test");
    };
  }

  private static boolean isDistributed(String where) {
    try {
      String scheme = new URI(where).getScheme();
      return scheme != null && !scheme.equals("file");
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static Loaded from(String spec, org.sparkprop.data.Dataset d) {
    if (d.droppedRows() > 0) {
      System.err.printf("[sparkprop] %s: dropped %d malformed row(s)%n", spec, d.droppedRows());
    }
    return new Loaded(spec, d.block(), null, d.classNames(), d.droppedRows());
  }

  private Loaded fromFrame(String spec, Dataset<Row> df, String features, String label, int partitions) {
    if (labelsOptional && !java.util.Arrays.asList(df.columns()).contains(label)) {
      df = df.withColumn(label, functions.lit(0.0));
    }
    Dataset<Row> framed = ParquetFeatures.asVector(df, features, label);
    return new Loaded(spec, null, SparkData.pack(framed, ParquetFeatures.COLUMN, label, null,
        partitions, 0), null, 0);
  }

  /** toy:NAME?key=value&... with n, noise, seed, k (blobs), dims (blobs, linear), factor (circles). */
  static Block toy(String where) {
    String name = where;
    Map<String, String> q = new HashMap<>();
    int qm = where.indexOf('?');
    if (qm >= 0) {
      name = where.substring(0, qm);
      for (String kv : where.substring(qm + 1).split("&")) {
        String[] p = kv.split("=", 2);
        if (p.length != 2) {
          throw new IllegalArgumentException("toy parameter '" + kv + "' is not key=value");
        }
        q.put(p[0], p[1]);
      }
    }
    int n = Integer.parseInt(q.getOrDefault("n", "2000"));
    double noise = Double.parseDouble(q.getOrDefault("noise", "0.1"));
    long seed = Long.parseLong(q.getOrDefault("seed", "1"));
    return switch (name) {
      case "two_moons" -> ToySets.twoMoons(n, noise, seed);
      case "xor" -> ToySets.xor(n, noise, seed);
      case "circles" -> ToySets.circles(n, Double.parseDouble(q.getOrDefault("factor", "0.5")), noise, seed);
      case "blobs" -> ToySets.blobs(n, Integer.parseInt(q.getOrDefault("k", "3")),
          Integer.parseInt(q.getOrDefault("dims", "2")), Double.parseDouble(q.getOrDefault("std", "1")), seed);
      case "linear" -> ToySets.linear(n, Integer.parseInt(q.getOrDefault("dims", "10")), noise,
          Long.parseLong(q.getOrDefault("truth", "7")), seed).block();
      default -> throw new IllegalArgumentException("unknown toy set '" + name
          + "'; expected two_moons, xor, circles, blobs or linear");
    };
  }
}
