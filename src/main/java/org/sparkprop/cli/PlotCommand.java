package org.sparkprop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sparkprop.train.ArrayFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sparkprop plot RUN...}: learning curves from runs' {@code metrics.json}. One run: its
 * loss, metric and learning rate (the plot {@code train} writes); several: compared, one colour
 * per run.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot the learning curves of one run, or compare several runs.")
final class PlotCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "RUN",
      description = "run folders (as `train` writes them: holding metrics.json) or metrics.json files")
  List<String> runs;

  @Option(names = {"-o", "--out"}, description = "PNG to write (default: plot.png, or "
      + "comparison.png for several runs, in the current folder)")
  String out;

  @Override
  public Integer call() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String r : runs) {
      files.add(metricsFile(LocalPaths.of(r, "RUN")));
    }
    List<Plots.Curves> curves = new ArrayList<>();
    List<String> names = names(files);
    for (int i = 0; i < files.size(); i++) {
      curves.add(read(files.get(i), names.get(i)));
    }
    Path file = Path.of(out != null ? out : curves.size() == 1 ? "plot.png" : "comparison.png");
    java.awt.image.BufferedImage image = curves.size() == 1
        ? Plots.run(curves.get(0), curves.get(0).name()) : Plots.compare(curves);
    Plots.png(image, Files.newOutputStream(file));         // drawn first: refused input writes nothing
    System.out.println("plot in " + file.toAbsolutePath());
    return 0;
  }

  static Path metricsFile(Path run) {
    Path f = Files.isDirectory(run) ? run.resolve("metrics.json") : run;
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("no metrics.json in " + run + ": give a run folder "
          + "(the --out of `sparkprop train`, e.g. runs/<config>/<time>) or its metrics.json");
    }
    return f;
  }

  /** A run's name: its folder's name, with the parent's where two runs share a name. */
  static List<String> names(List<Path> files) {
    List<String> shortNames = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean clash = false;
    for (Path f : files) {
      String n = folderOf(f).getFileName().toString();
      clash |= !seen.add(n);
      shortNames.add(n);
    }
    if (!clash) {
      return shortNames;
    }
    List<String> longNames = new ArrayList<>();
    for (Path f : files) {
      Path d = folderOf(f);
      longNames.add(d.getParent() == null || d.getParent().getFileName() == null
          ? d.toString() : d.getParent().getFileName() + "/" + d.getFileName());
    }
    return longNames;
  }

  private static Path folderOf(Path metricsJson) {
    Path d = metricsJson.toAbsolutePath().normalize().getParent();
    return d == null ? metricsJson.toAbsolutePath() : d;
  }

  /** The curves of one metrics.json ({@code {"epochs": [{epoch, train_loss, ...}], ...}}). */
  static Plots.Curves read(Path file, String name) throws IOException {
    JsonNode epochs = ArrayFile.json().readTree(file.toFile()).path("epochs");
    if (!epochs.isArray() || epochs.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no epochs: not a Sparkprop metrics.json, "
          + "or a run that stopped before its first epoch");
    }
    String metric = null;
    for (var it = epochs.get(0).fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (k.startsWith("train_") && !k.equals("train_loss")) {
        metric = k.substring("train_".length());
      }
    }
    if (metric == null) {
      throw new IllegalArgumentException(file + " has no train_<metric> column");
    }
    int n = epochs.size();
    boolean val = !epochs.get(0).path("val_loss").isNull() && epochs.get(0).has("val_loss");
    double[][] cols = new double[6][n];
    String[] keys = {"epoch", "train_loss", "train_" + metric, "val_loss", "val_" + metric, "lr"};
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < keys.length; k++) {
        JsonNode v = epochs.get(i).path(keys[k]);
        cols[k][i] = v.isNumber() ? v.asDouble() : Double.NaN;
      }
    }
    return new Plots.Curves(name, metric, cols[0], cols[1], cols[2], val ? cols[3] : null,
        val ? cols[4] : null, cols[5]);
  }
}
