package org.sparkprop.cli;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.spark.DistributedPredict;
import org.sparkprop.train.Model;
import org.sparkprop.train.ModelIO;
import org.sparkprop.train.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkprop predict}: a table of predictions for every row of a data source. Modes:
 * class (index, and name when known), probabilities (one column per class), sample (a class drawn
 * from the predicted distribution, seeded; row g from the stream (seed, g)), values (regression
 * outputs / raw scores). Driver-side sources written to a local CSV are predicted in this JVM
 * (one file); sources read through Spark, outputs on a Hadoop file system and Parquet output are
 * predicted on the executors and written by Spark (a folder of part files).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Predict with a saved model; write CSV or Parquet (on the executors for "
        + "Spark-read sources and Hadoop paths).")
final class PredictCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, required = true, description = "model directory (a path, file: URI or any Hadoop path)")
  String modelDir;

  @Option(names = {"-d", "--data"}, required = true, description = "data source")
  String data;

  @Option(names = {"-o", "--output"}, required = true, description = "CSV file to write; or, "
      + "predicted on the executors, a folder on any Hadoop path (hdfs:, s3a:, file:)")
  String outputFile;

  @Option(names = "--mode", defaultValue = "class",
      description = "class | probabilities | sample | values (default: ${DEFAULT-VALUE})")
  String mode;

  @Option(names = "--format", description = "csv | parquet (default: parquet when --output ends "
      + "in .parquet, else csv); parquet is always written by Spark")
  String format;

  @Option(names = "--seed", defaultValue = "1", description = "seed for --mode sample")
  long seed;

  @Option(names = "--overwrite", description = "replace an existing output file")
  boolean overwrite;

  @Option(names = {"-c", "--config"}, description = "config for reader settings")
  File config;

  @Option(names = {"-s", "--set"}, description = "override a setting")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", description = "Spark master, for predictions on the executors "
      + "(default: spark-submit's, else spark.master of the config)")
  String master;

  @Override
  public Integer call() throws Exception {
    OutputDir model = OutputDir.of(modelDir, "--model");
    String md = mode.toLowerCase(Locale.ROOT);
    if (!List.of("class", "probabilities", "sample", "values").contains(md)) {
      throw new IllegalArgumentException("--mode must be class, probabilities, sample or values, got '"
          + mode + "'");
    }
    String fmt = format != null ? format.toLowerCase(Locale.ROOT)
        : outputFile.endsWith(".parquet") ? "parquet" : "csv";
    if (!fmt.equals("csv") && !fmt.equals("parquet")) {
      throw new IllegalArgumentException("--format must be csv or parquet, got '" + format + "'");
    }
    Model m = ModelIO.load(ModelDirs.engineModel(model));
    String scheme = LocalPaths.scheme(outputFile);
    if (DataSources.needsSpark(data) || fmt.equals("parquet")
        || scheme != null && !scheme.equals("file")) {
      return onExecutors(m, md, fmt);
    }
    Path output = LocalPaths.of(outputFile, "--output");
    if (Files.exists(output) && !overwrite) {
      throw new IllegalArgumentException(output + " exists; use --overwrite to replace it");
    }
    Block b = new DataSources(RunConfig.load(config, overrides)).expectFeatures(m.numFeatures())
        .load(data, null, 1).local();
    if (b.features() != m.numFeatures()) {
      throw new IllegalArgumentException(data + " has " + b.features() + " features; the model expects "
          + m.numFeatures());
    }
    if (!md.equals("values") && !m.isClassifier()) {
      throw new IllegalArgumentException("a regression model predicts values: use --mode values");
    }
    int batch = 512;
    Predictor p = m.predictor(batch);
    int f = b.features();
    int outputs = m.network().outputSize();
    try (BufferedWriter w = Files.newBufferedWriter(output)) {
      w.write(header(md, m, outputs));
      w.newLine();
      int[] classes = new int[batch];
      for (int lo = 0; lo < b.rows(); lo += batch) {
        int n = Math.min(b.rows(), lo + batch) - lo;
        float[] x = java.util.Arrays.copyOfRange(b.x(), lo * f, (lo + n) * f);
        switch (md) {
          case "class" -> {
            p.classes(x, n, classes);
            for (int r = 0; r < n; r++) {
              w.write((lo + r) + "," + classes[r]
                  + (m.classNames() == null ? "" : "," + m.classNames().get(classes[r])));
              w.newLine();
            }
          }
          case "sample" -> {
            p.sample(x, n, seed, lo, classes);
            for (int r = 0; r < n; r++) {
              w.write((lo + r) + "," + classes[r]);
              w.newLine();
            }
          }
          case "probabilities", "values" -> {
            float[] s = p.scores(x, n).clone();
            for (int r = 0; r < n; r++) {
              StringBuilder sb = new StringBuilder().append(lo + r);
              if (md.equals("values")) {
                for (int k = 0; k < outputs; k++) {
                  sb.append(',').append(s[r * outputs + k]);
                }
              } else {
                for (double v : p.probabilitiesOfScores(java.util.Arrays.copyOfRange(s,
                    r * outputs, (r + 1) * outputs))) {
                  sb.append(',').append(String.format(Locale.ROOT, "%.6g", v));
                }
              }
              w.write(sb.toString());
              w.newLine();
            }
          }
          default -> throw new IllegalArgumentException("--mode must be class, probabilities, sample "
              + "or values, got '" + mode + "'");
        }
      }
    }
    System.out.println("wrote " + b.rows() + " predictions to " + output);
    return 0;
  }

  /** Predicted on the executors, written by Spark (a folder of part files) to any Hadoop path. */
  private int onExecutors(Model m, String md, String fmt) throws Exception {
    // A plain path is the local disk, as for every other path of the command line.
    String out = LocalPaths.scheme(outputFile) == null
        ? Path.of(outputFile).toAbsolutePath().toUri().toString() : outputFile;
    String source = data.substring(data.indexOf(':') + 1);
    String sourceUri = LocalPaths.scheme(source) == null
        ? Path.of(source).toAbsolutePath().toUri().toString() : source;
    if (overwrite && (sourceUri.replaceAll("/+$", "") + "/").startsWith(out.replaceAll("/+$", "") + "/")) {
      throw new IllegalArgumentException("--output " + outputFile + " holds the data being predicted ("
          + data + "); --overwrite would delete it before it is read: write elsewhere");
    }
    RunConfig rc = RunConfig.load(config, overrides);
    try (CommandSession cs = new CommandSession(master, rc)) {
      SparkSession spark = cs.spark;
      JavaSparkContext sc = cs.sc;
      // The source's own partitions (0: no repartitioning), so rows keep their file order.
      DataSources.Loaded d = new DataSources(rc).labelsOptional()
          .expectFeatures(m.numFeatures()).load(data, spark, 0);
      try {
        Dataset<Row> predictions = DistributedPredict.of(spark, m,
            d.distributed(sc, sc.defaultParallelism()), md, seed);
        var writer = predictions.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
        if (fmt.equals("parquet")) {
          writer.parquet(out);
        } else {
          writer.option("header", true).csv(out);
        }
      } catch (Exception e) {                            // Spark's SparkException is checked
        if (String.valueOf(e.getMessage()).contains("already exists")) {
          throw new IllegalArgumentException(out + " exists; use --overwrite to replace it");
        }
        throw org.sparkprop.spark.SparkData.unwrap(e);
      }
      System.out.println("wrote predictions on the executors to " + out + " (" + fmt + ")");
      return 0;
    }
  }

  private static String header(String mode, Model m, int outputs) {
    StringBuilder sb = new StringBuilder("row");
    switch (mode) {
      case "class" -> sb.append(",class").append(m.classNames() == null ? "" : ",name");
      case "sample" -> sb.append(",sampled_class");
      case "probabilities" -> {
        for (int k = 0; k < m.numClasses(); k++) {
          sb.append(",p").append(k);
        }
      }
      default -> {
        for (int k = 0; k < outputs; k++) {
          sb.append(",y").append(k);
        }
      }
    }
    return sb.toString();
  }
}
