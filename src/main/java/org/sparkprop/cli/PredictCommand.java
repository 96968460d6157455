package org.sparkprop.cli;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparkprop.data.Block;
import org.sparkprop.train.LocalFileStore;
import org.sparkprop.train.Model;
import org.sparkprop.train.ModelIO;
import org.sparkprop.train.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkprop predict}: writes a CSV of predictions for every row of a data source. Modes:
 * class (index, and name when known), probabilities (one column per class), sample (a class drawn
 * from the predicted distribution, seeded), values (regression outputs / raw scores).
 * For data too large for the driver, use the Spark ML model's transform instead.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Predict with a saved model and write a CSV.")
final class PredictCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, required = true, description = "model directory (a path or file: URI)")
  String modelDir;

  @Option(names = {"-d", "--data"}, required = true, description = "data source")
  String data;

  @Option(names = {"-o", "--output"}, required = true, description = "CSV file to write (a path or file: URI)")
  String outputFile;

  @Option(names = "--mode", defaultValue = "class",
      description = "class | probabilities | sample | values (default: ${DEFAULT-VALUE})")
  String mode;

  @Option(names = "--seed", defaultValue = "1", description = "seed for --mode sample")
  long seed;

  @Option(names = "--overwrite", description = "replace an existing output file")
  boolean overwrite;

  @Option(names = {"-c", "--config"}, description = "config for reader settings")
  File config;

  @Option(names = {"-s", "--set"}, description = "override a setting")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path model = LocalPaths.of(modelDir, "--model");
    Path output = LocalPaths.of(outputFile, "--output");
    if (Files.exists(output) && !overwrite) {
      throw new IllegalArgumentException(output + " exists; use --overwrite to replace it");
    }
    String md = mode.toLowerCase(Locale.ROOT);
    if (!List.of("class", "probabilities", "sample", "values").contains(md)) {
      throw new IllegalArgumentException("--mode must be class, probabilities, sample or values, got '"
          + mode + "'");
    }
    Model m = ModelIO.load(new LocalFileStore(ModelDirs.engineModel(model)));
    if (DataSources.needsSpark(data)) {
      throw new IllegalArgumentException(data + " is read through Spark: predict it with the Spark ML "
          + "model (SparkpropClassificationModel.load(...).transform(df)); predict reads driver-side "
          + "sources (fashion-mnist:, idx:, local libsvm:/csv:, toy:)");
    }
    Block b = new DataSources(RunConfig.load(config, overrides)).load(data, null, 1).local();
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
            p.sample(x, n, seed + lo, classes);
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
