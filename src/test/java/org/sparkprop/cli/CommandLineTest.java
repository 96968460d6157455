package org.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkprop.testing.SparkTestSession;
import org.sparkprop.train.ArrayFile;

/** The command line end to end: train (local and Spark), evaluate, predict, gradcheck, errors. */
class CommandLineTest {

  @TempDir
  Path dir;

  /** Runs the command line, capturing stdout and stderr. */
  record Run(int status, String out, String err) {
    JsonNode lastJson() throws Exception {
      String[] lines = out.strip().split("\n");
      return ArrayFile.json().readTree(lines[lines.length - 1]);
    }
  }

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      int status = Main.execute(args);
      return new Run(status, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void trainsACsvWhoseWidthItWasNotTold() throws Exception {
    // 3 features, 4 linearly separable classes; model.network = auto by default, which on 400
    // rows cross-validates in-100relu-out against the linear model; the default budget converges.
    StringBuilder csv = new StringBuilder("a,b,c,label\n");
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < 400; i++) {
      int k = i % 4;
      csv.append(k + rnd.nextGaussian() * 0.3).append(',').append(-k + rnd.nextGaussian() * 0.3)
          .append(',').append(rnd.nextGaussian()).append(',').append(k).append('\n');
    }
    Path file = dir.resolve("four.csv");
    Files.writeString(file, csv.toString());
    Path out = dir.resolve("four");
    Run train = run("train", "--set", "data.train=csv:" + file, "--set", "data.test=csv:" + file,
        "--set", "training.trainer=local", "--out", out.toString());
    assertEquals(0, train.status(), train.err());
    JsonNode summary = train.lastJson();
    assertEquals("3-4", summary.get("network").asText(), "separable classes: the linear model; " + train.err());
    assertTrue(train.err().contains("network 3-4 with lbfgs (model.network = auto, linear+l2("),
        train.err());
    assertTrue(train.err().contains("5-fold cross-validated error rate"), train.err());
    assertTrue(summary.get("test_accuracy").asDouble() > 0.95, summary.toString());
    Run net = run("train", "--set", "data.train=csv:" + file, "--set", "data.test=csv:" + file,
        "--set", "model.network=in-100relu-out",
        "--set", "training.trainer=local", "--out", dir.resolve("four-net").toString());
    assertEquals(0, net.status(), net.err());
    assertEquals("3-100relu-4", net.lastJson().get("network").asText());
    assertTrue(net.lastJson().get("steps").asLong() >= 1000, "400 rows get minSteps: " + net.lastJson());
    assertTrue(net.err().contains("network 3-100relu-4"), net.err());
  }

  @Test
  void trainLocallyThenEvaluateAndPredict() throws Exception {
    Path out = dir.resolve("moons");
    Run train = run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=10", "--out", out.toString());
    assertEquals(0, train.status(), train.err());
    JsonNode summary = train.lastJson();
    assertTrue(summary.get("test_accuracy").asDouble() > 0.95, summary.toString());
    assertTrue(summary.get("train_seconds").asDouble() > 0);
    String weights = "model/" + org.sparkprop.train.ModelIO.weightsFile(
        new org.sparkprop.train.LocalFileStore(out.resolve("model")));
    for (String f : List.of("model/metadata.json", weights, "metrics.csv", "metrics.json",
        "training.png", "summary.json", "config.json")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertEquals(11, Files.readAllLines(out.resolve("metrics.csv")).size(), "header + 10 epochs");
    assertTrue(train.out().contains("epoch 10/10"), train.out());
    assertTrue(train.out().contains("val_accuracy"), "validation split reported");

    Run eval = run("evaluate", "--model", out.resolve("model").toString(), "--data",
        "toy:two_moons?n=1000&noise=0.15&seed=2");
    assertEquals(0, eval.status(), eval.err());
    assertEquals(summary.get("test_accuracy").asDouble(), eval.lastJson().get("accuracy").asDouble(),
        1e-4, "evaluate agrees with train's test accuracy");

    for (String mode : List.of("class", "probabilities", "sample", "values")) {
      Path csv = dir.resolve(mode + ".csv");
      Run p = run("predict", "--model", out.resolve("model").toString(), "--data",
          "toy:two_moons?n=50&seed=3", "--output", csv.toString(), "--mode", mode);
      assertEquals(0, p.status(), p.err());
      List<String> lines = Files.readAllLines(csv);
      assertEquals(51, lines.size(), mode);
      assertTrue(lines.get(0).startsWith("row"), lines.get(0));
    }
    Run again = run("predict", "--model", out.resolve("model").toString(), "--data",
        "toy:two_moons?n=50&seed=3", "--output", dir.resolve("class.csv").toString());
    assertEquals(1, again.status());
    assertTrue(again.err().contains("use --overwrite"), again.err());
  }

  @Test
  void trainOnSparkWithCheckpoints() throws Exception {
    SparkTestSession.get();
    Path out = dir.resolve("spark");
    Run r = run("train", "--config", "conf/regression.conf", "--set", "training.epochs=5",
        "--set", "checkpoint.dir=" + dir.resolve("ck").toUri(), "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode s = r.lastJson();
    assertEquals("spark", s.get("trainer").asText());
    assertEquals("allreduce", s.get("mode").asText());         // auto, two replicas
    assertTrue(s.get("collective_ms_per_step").asDouble() > 0 && s.has("compute_ms_per_step"), s.toString());
    assertTrue(s.get("test_rmse").asDouble() < 0.3, s.toString());
    assertEquals(s.get("blas").asText(), s.get("executor_blas").get(0).asText(), s.toString());
    assertFalse(s.get("executor_blas_differs").asBoolean(), s.toString());
    assertTrue(Files.list(dir.resolve("ck")).anyMatch(p -> p.getFileName().toString().startsWith("ckpt-")));
    Run twice = run("train", "--config", "conf/regression.conf", "--set", "training.epochs=3",
        "--set", "checkpoint.dir=" + dir.resolve("ck").toUri(), "--out", dir.resolve("other").toString());
    assertEquals(1, twice.status());
    assertTrue(twice.err().contains("already holds"), twice.err());
  }

  @Test
  void evaluateReadsParquetThroughSpark() throws Exception {
    org.apache.spark.sql.SparkSession spark = SparkTestSession.get();
    Path out = dir.resolve("moons");
    assertEquals(0, run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=5", "--out", out.toString()).status());
    Path parquet = dir.resolve("moons.parquet");
    org.sparkprop.spark.SparkData.toDataFrame(spark,
        org.sparkprop.data.ToySets.twoMoons(500, 0.15, 2), 2).write().parquet(parquet.toString());
    Run eval = run("evaluate", "--model", out.resolve("model").toString(), "--data",
        "parquet:" + parquet);
    assertEquals(0, eval.status(), eval.err());
    assertEquals(500, eval.lastJson().get("rows").asLong());
    assertTrue(eval.lastJson().get("accuracy").asDouble() > 0.9, eval.out());
    // predict reads it on the executors too (its output: predictOnTheExecutors... below).
    Run predict = run("predict", "--model", out.resolve("model").toString(), "--data",
        "parquet:" + parquet, "--output", dir.resolve("p.csv").toString());
    assertEquals(0, predict.status(), predict.err());
    assertTrue(Files.isDirectory(dir.resolve("p.csv")), "Spark wrote a folder of part files");
  }

  @Test
  void parquetWithArrayAndPlainNumericColumnsTrains() throws Exception {
    org.apache.spark.sql.SparkSession spark = SparkTestSession.get();
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> moons = org.sparkprop.spark.SparkData
        .toDataFrame(spark, org.sparkprop.data.ToySets.twoMoons(600, 0.1, 3), 2);
    // pandas / pyarrow layouts: a list column, and one column per feature (int label).
    Path arrays = dir.resolve("arrays.parquet");
    moons.select(org.apache.spark.ml.functions.vector_to_array(moons.col("features"), "float64").as("features"),
        moons.col("label")).write().parquet(arrays.toString());
    Path wide = dir.resolve("wide.parquet");
    moons.select(org.apache.spark.ml.functions.vector_to_array(moons.col("features"), "float64").getItem(0).as("x"),
        org.apache.spark.ml.functions.vector_to_array(moons.col("features"), "float64").getItem(1).cast("float").as("y"),
        moons.col("label").cast("int").as("label")).write().parquet(wide.toString());
    for (Path p : List.of(arrays, wide)) {
      Run train = run("train", "--set", "data.train=parquet:" + p, "--set", "data.test=parquet:" + p,
          "--set", "model.network=in-16tanh-out", "--set", "training.learningRate=0.01",
          "--out", dir.resolve("out-" + p.getFileName()).toString());
      assertEquals(0, train.status(), train.err());
      assertEquals("2-16tanh-2", train.lastJson().get("network").asText());
      assertTrue(train.lastJson().get("test_accuracy").asDouble() > 0.95, train.out());
    }
    Path text = dir.resolve("text.parquet");
    moons.selectExpr("cast(label as string) as name", "label").write().parquet(text.toString());
    Run bad = run("train", "--set", "data.train=parquet:" + text, "--out", dir.resolve("bad").toString());
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("not numeric: name string"), bad.err());
  }

  @Test
  void predictOnTheExecutorsWritesCsvOrParquetToAnyHadoopPath() throws Exception {
    var spark = SparkTestSession.get();
    Path out = dir.resolve("moons");
    assertEquals(0, run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=3", "--out", out.toString()).status());
    String model = out.resolve("model").toString();
    String toy = "toy:two_moons?n=300&noise=0.15&seed=3";
    // The same rows as Parquet without a label column, one file so the rows keep their order.
    Path pq = dir.resolve("rows.parquet");
    org.sparkprop.spark.SparkData.toDataFrame(spark, DataSources.toy("two_moons?n=300&noise=0.15&seed=3"), 2)
        .drop("label").coalesce(1).write().parquet(pq.toString());

    Path ref = dir.resolve("ref.csv");
    assertEquals(0, run("predict", "--model", model, "--data", toy, "--output", ref.toString(),
        "--mode", "probabilities").status());
    Path csvDir = dir.resolve("pred-csv");
    Run r = run("predict", "--model", model, "--data", "parquet:" + pq, "--output",
        csvDir.toUri().toString(), "--mode", "probabilities");
    assertEquals(0, r.status(), r.err());
    List<String> expected = Files.readAllLines(ref);
    List<org.apache.spark.sql.Row> got = spark.read().option("header", true).csv(csvDir.toString())
        .orderBy(functions.col("row").cast("long")).collectAsList();
    assertEquals(expected.size() - 1, got.size(), "one row of predictions per input row");
    for (int i = 0; i < got.size(); i++) {
      String[] e = expected.get(i + 1).split(",");
      assertEquals(Long.parseLong(e[0]), Long.parseLong(got.get(i).getString(0)), "row numbers in file order");
      assertEquals(Double.parseDouble(e[1]), Double.parseDouble(got.get(i).getString(1)), 1e-5);
    }
    // Parquet output; sampled classes equal the driver's, whatever the batching.
    Path pqOut = dir.resolve("pred.parquet");
    assertEquals(0, run("predict", "--model", model, "--data", "parquet:" + pq, "--output",
        pqOut.toString(), "--mode", "sample", "--seed", "5").status());
    Path refSample = dir.resolve("sample.csv");
    assertEquals(0, run("predict", "--model", model, "--data", toy, "--output", refSample.toString(),
        "--mode", "sample", "--seed", "5").status());
    List<org.apache.spark.sql.Row> sampled = spark.read().parquet(pqOut.toString()).orderBy("row")
        .collectAsList();
    List<String> refRows = Files.readAllLines(refSample);
    for (int i = 0; i < sampled.size(); i++) {
      assertEquals(refRows.get(i + 1), sampled.get(i).getLong(0) + "," + sampled.get(i).getInt(1));
    }
    // An existing output is kept unless --overwrite; data of another width is refused.
    Run again = run("predict", "--model", model, "--data", "parquet:" + pq, "--output", pqOut.toString());
    assertEquals(1, again.status());
    assertTrue(again.err().contains("use --overwrite"), again.err());
    assertEquals(0, run("predict", "--model", model, "--data", "parquet:" + pq, "--output",
        pqOut.toString(), "--overwrite").status());
    Run self = run("predict", "--model", model, "--data", "parquet:" + pq, "--output", pq.toString(),
        "--overwrite");
    assertEquals(1, self.status());
    assertTrue(self.err().contains("holds the data being predicted"), self.err());
    assertTrue(Files.exists(pq), "the data was not deleted");
    Path wide = dir.resolve("wide.parquet");
    org.sparkprop.spark.SparkData.toDataFrame(spark, DataSources.toy("blobs?n=50&dims=3"), 1)
        .write().parquet(wide.toString());
    Run bad = run("predict", "--model", model, "--data", "parquet:" + wide, "--output",
        dir.resolve("never.parquet").toString());
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("3 features; the model expects 2"), bad.err());
  }

  @Test
  void everyEvaluationPathRefusesBadInputBeforeWork() throws Exception {
    var spark = SparkTestSession.get();
    Path out = dir.resolve("moons");
    assertEquals(0, run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=2", "--out", out.toString()).status());
    String model = out.resolve("model").toString();
    Path wideCsv = dir.resolve("wide.csv");
    Files.writeString(wideCsv, "a,b,c,label\n0.1,0.2,0.3,1\n0.2,0.1,0.0,0\n");
    Path badLabel = dir.resolve("label.csv");
    Files.writeString(badLabel, "a,b,label\n0.1,0.2,5\n");
    Path nanLibsvm = dir.resolve("nan.libsvm");
    Files.writeString(nanLibsvm, "0 1:NaN 2:1\n");
    Path idx = Files.createDirectories(dir.resolve("idx"));
    org.sparkprop.testing.IdxFiles.writeTrain(idx, 3, 2, 3, true, false);   // 2×2 pixels: 4 features
    spark.sparkContext().hadoopConfiguration().set("fs." + org.sparkprop.testing.OtherSchemeFileSystem.SCHEME
        + ".impl", org.sparkprop.testing.OtherSchemeFileSystem.class.getName());
    // evaluate: width, labels, values (IDX on the driver, and on a Hadoop path on the executors)
    for (String[] c : List.of(new String[] {"csv:" + wideCsv, "3 features"},
        new String[] {"idx:" + idx + "#train", "4 features"},
        new String[] {"idx:sptest://" + idx.toAbsolutePath() + "#train", "4 features"},
        new String[] {"csv:" + badLabel, "label 5 is out of range for 2 classes"},
        new String[] {"libsvm:" + nanLibsvm, "NaN"})) {
      Run r = run("evaluate", "--model", model, "--data", c[0]);
      assertEquals(1, r.status(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[1]), c[0] + ": " + r.err());
    }
    // A LIBSVM file whose last feature is zero everywhere has the model's width, not one less.
    Path narrow = dir.resolve("narrow.libsvm");
    Files.writeString(narrow, "0 1:0.5\n1 1:-0.5\n");
    Run ok = run("evaluate", "--model", model, "--data", "libsvm:" + narrow);
    assertEquals(0, ok.status(), ok.err());
    // evaluate on Parquet (read by Spark on the executors): the width, naming both.
    Path widePq = dir.resolve("wide.parquet");
    org.sparkprop.spark.SparkData.toDataFrame(spark, DataSources.toy("blobs?n=50&dims=3&k=2"), 2)
        .write().parquet(widePq.toString());
    Run pq = run("evaluate", "--model", model, "--data", "parquet:" + widePq);
    assertEquals(1, pq.status());
    assertTrue(pq.err().contains("3 features but the model expects 2"), pq.err());
    // predict: refused, and no output file.
    Path never = dir.resolve("never.csv");
    for (String[] c : List.of(new String[] {"csv:" + wideCsv, "3"}, new String[] {"idx:" + idx + "#train", "4"})) {
      Run p = run("predict", "--model", model, "--data", c[0], "--output", never.toString());
      assertEquals(1, p.status(), c[0]);
      assertTrue(p.err().contains("has " + c[1] + " features; the model expects 2"), p.err());
      assertFalse(Files.exists(never));
    }
    Run localIdx = run("train", "--set", "data.train=idx:sptest://" + idx.toAbsolutePath() + "#train",
        "--set", "training.trainer=local", "--out", dir.resolve("never").toString());
    assertTrue(localIdx.status() == 1 && localIdx.err().contains("is read through Spark"), localIdx.err());
    // train's test set is checked before the first epoch, locally and on Spark.
    for (String trainer : List.of("local", "spark")) {
      Run t = run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=" + trainer,
          "--set", "data.test=csv:" + wideCsv, "--out", dir.resolve("t-" + trainer).toString());
      assertEquals(1, t.status(), trainer);
      assertTrue(t.err().contains("test data csv:") && t.err().contains("3 features"), t.err());
      assertFalse(t.out().contains("epoch 1/"), "no epoch ran: " + t.out());
    }
  }

  @Test
  void textClassesAreNumberedAsTheModelNumbersThem() throws Exception {
    StringBuilder csv = new StringBuilder("x,y,species\n");
    StringBuilder foxes = new StringBuilder("x,y,species\n");
    java.util.Random rnd = new java.util.Random(3);
    String[] names = {"cat", "dog", "fox"};
    for (int i = 0; i < 300; i++) {
      int k = i % 3;
      String row = (k * 3 + rnd.nextGaussian() * 0.3) + "," + (rnd.nextGaussian() * 0.3) + ","
          + names[k] + "\n";
      csv.append(row);
      if (k == 2) {
        foxes.append(row);
      }
    }
    Path all = dir.resolve("animals.csv");
    Files.writeString(all, csv.toString());
    Path onlyFoxes = dir.resolve("foxes.csv");
    Files.writeString(onlyFoxes, foxes.toString());
    Path out = dir.resolve("animals");
    Run train = run("train", "--set", "data.train=csv:" + all, "--set", "data.test=csv:" + all,
        "--set", "data.csv.label=species", "--set", "training.trainer=local", "--out", out.toString());
    assertEquals(0, train.status(), train.err());
    // A file holding only foxes numbers them 0 by itself; they must still be class 2.
    Run e = run("evaluate", "--model", out.resolve("model").toString(), "--data", "csv:" + onlyFoxes,
        "--set", "data.csv.label=species");
    assertEquals(0, e.status(), e.err());
    assertTrue(e.lastJson().get("accuracy").asDouble() > 0.95, e.out());
    Path emu = dir.resolve("emu.csv");
    Files.writeString(emu, "x,y,species\n1,1,emu\n");
    Run bad = run("evaluate", "--model", out.resolve("model").toString(), "--data", "csv:" + emu,
        "--set", "data.csv.label=species");
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("label 'emu'") && bad.err().contains("(cat, dog, fox)"), bad.err());
  }

  @Test
  void csvOnAHadoopPathIsReadOnTheExecutors() throws Exception {
    var spark = SparkTestSession.get();
    spark.sparkContext().hadoopConfiguration().set("fs." + org.sparkprop.testing.OtherSchemeFileSystem.SCHEME
        + ".impl", org.sparkprop.testing.OtherSchemeFileSystem.class.getName());
    StringBuilder csv = new StringBuilder("x,y,species\n");
    StringBuilder foxes = new StringBuilder("x,y,species\n");
    java.util.Random rnd = new java.util.Random(3);
    String[] names = {"cat", "dog", "fox"};
    for (int i = 0; i < 600; i++) {
      String row = ((i % 3) * 3 + rnd.nextGaussian() * 0.3) + "," + rnd.nextGaussian() * 0.3 + ","
          + names[i % 3] + "\n";
      csv.append(row);
      if (i % 3 == 2) {
        foxes.append(row);
      }
    }
    Files.writeString(dir.resolve("animals.csv"), csv.toString());
    Files.writeString(dir.resolve("foxes.csv"), foxes.toString());
    String remote = "sptest://" + dir.toAbsolutePath();
    Path out = dir.resolve("animals");
    Run train = run("train", "--set", "data.train=csv:" + remote + "/animals.csv", "--set",
        "data.test=csv:" + remote + "/animals.csv", "--set", "data.csv.label=species",
        "--out", out.toString());
    assertEquals(0, train.status(), train.err());
    assertTrue(train.lastJson().get("test_accuracy").asDouble() > 0.95, train.out());
    // Only foxes, on the executors: still class 2 of the model, not class 0 of the file.
    Run e = run("evaluate", "--model", out.toString(), "--data", "csv:" + remote + "/foxes.csv",
        "--set", "data.csv.label=species");
    assertEquals(0, e.status(), e.err());
    assertEquals(200, e.lastJson().get("rows").asLong());
    assertTrue(e.lastJson().get("accuracy").asDouble() > 0.95, e.out());
    // A malformed row fails the read (data.badRows = error), naming nothing silently.
    Files.writeString(dir.resolve("bad.csv"), "x,y,species\n1.0,2.0,cat\n1.0,oops,dog\n");
    Run bad = run("evaluate", "--model", out.toString(), "--data", "csv:" + remote + "/bad.csv",
        "--set", "data.csv.label=species");
    assertEquals(1, bad.status(), bad.out());
    assertTrue(bad.err().contains("non-numeric feature"), bad.err());
    Run dropped = run("evaluate", "--model", out.toString(), "--data", "csv:" + remote + "/bad.csv",
        "--set", "data.csv.label=species", "--set", "data.badRows=drop");
    assertEquals(0, dropped.status(), dropped.err());
    assertEquals(1, dropped.lastJson().get("rows").asLong(), "the malformed row dropped, the good kept");
  }

  @Test
  void fileUrisAndHadoopPathsWorkForEveryOutput() throws Exception {
    Path out = dir.resolve("uri-out");
    Run train = run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=2", "--out", out.toUri().toString());
    assertEquals(0, train.status(), train.err());
    assertTrue(Files.exists(out.resolve("model").resolve("metadata.json")), "written under the URI's path");
    Path libsvm = dir.resolve("moons.libsvm");
    Files.writeString(libsvm, "0 1:0.1 2:0.9\n1 1:1.9 2:-0.2\n0 1:-0.8 2:0.4\n");
    Run eval = run("evaluate", "--model", out.resolve("model").toUri().toString(), "--data",
        "libsvm:" + libsvm.toUri());
    assertEquals(0, eval.status(), eval.err());
    assertEquals(3, eval.lastJson().get("rows").asLong());
    // Another scheme goes through Hadoop's file systems: every output of a run, the local
    // trainer's checkpoints, and the model evaluate and predict read.
    org.sparkprop.testing.OtherSchemeFileSystem.register();
    Path remote = dir.resolve("remote");
    String uri = "sptest://" + remote.toAbsolutePath();
    Run r = run("train", "--config", "conf/two-moons.conf", "--set", "training.trainer=local",
        "--set", "training.epochs=2", "--set", "checkpoint.dir=" + uri + "/ck", "--out", uri + "/run");
    assertEquals(0, r.status(), r.err());
    for (String f : List.of("model/metadata.json", "metrics.csv", "metrics.json", "training.png",
        "summary.json", "config.json")) {
      assertTrue(Files.size(remote.resolve("run").resolve(f)) > 0, f + " written through Hadoop");
    }
    assertTrue(Files.list(remote.resolve("ck")).anyMatch(p -> p.getFileName().toString().startsWith("ckpt-")));
    assertEquals(uri + "/run", r.lastJson().get("output").asText());
    Run remoteEval = run("evaluate", "--model", uri + "/run", "--data", "libsvm:" + libsvm);
    assertEquals(0, remoteEval.status(), remoteEval.err());
    assertEquals(eval.lastJson().get("rows"), remoteEval.lastJson().get("rows"));
    assertFalse(Files.exists(Path.of("sptest:")), "no local folder named after the scheme");
  }

  /** A metrics.json as train writes it: {@code epochs} epochs of a falling loss. */
  static Path fakeRun(Path folder, String metric, boolean validation, int epochs) throws Exception {
    Files.createDirectories(folder);
    List<org.sparkprop.train.EpochMetrics> h = new java.util.ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      h.add(new org.sparkprop.train.EpochMetrics(e, 10L * e, 1.0 / e, 1 - 0.5 / e,
          validation ? 1.1 / e : Double.NaN, validation ? 1 - 0.6 / e : Double.NaN, metric,
          1e-3 / e, 1000, 1, e));
    }
    Reports.metricsJson(h, java.util.Map.of(), OutputDir.of(folder.toString(), "test"), "metrics.json");
    return folder;
  }

  @Test
  void plotDrawsOneRunOrComparesRuns() throws Exception {
    Path a = fakeRun(dir.resolve("runs/a"), "accuracy", true, 5);
    Path b = fakeRun(dir.resolve("runs/b"), "accuracy", false, 3);
    Path one = dir.resolve("one.png");
    Run single = run("plot", a.toString(), "--out", one.toString());
    assertEquals(0, single.status(), single.err());
    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(one.toFile());
    assertEquals(3 * 560, img.getWidth(), "loss, accuracy and learning rate side by side");
    Path both = dir.resolve("both.png");
    Run compared = run("plot", a.toString(), b.resolve("metrics.json").toString(), "--out",
        both.toString());
    assertEquals(0, compared.status(), compared.err());
    assertEquals(2 * 560, javax.imageio.ImageIO.read(both.toFile()).getWidth(), "loss and accuracy");
    // Same folder names under different parents get the parent's name too.
    assertEquals(List.of("x/a", "y/a"), PlotCommand.names(List.of(
        dir.resolve("x/a/metrics.json"), dir.resolve("y/a/metrics.json"))));

    Path reg = fakeRun(dir.resolve("runs/r"), "rmse", false, 2);
    Run mixed = run("plot", a.toString(), reg.toString(), "--out", dir.resolve("m.png").toString());
    assertEquals(1, mixed.status());
    assertTrue(mixed.err().contains("different metrics (accuracy, rmse)"), mixed.err());
    Run missing = run("plot", dir.resolve("absent").toString());
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("no metrics.json in"), missing.err());
    assertFalse(Files.exists(dir.resolve("m.png")), "nothing written for refused input");
  }

  @Test
  void gradcheckPassesForGoodNetworks() throws Exception {
    Run ok = run("gradcheck", "--network", "5-7tanh+bn-4sigmoid(2)-3", "--loss", "cross_entropy",
        "--penalty", "l2(0.1)");
    assertEquals(0, ok.status(), ok.out() + ok.err());
    assertTrue(ok.lastJson().get("passes").asBoolean());
    Run hinge = run("gradcheck", "--network", "5-6relu-1", "--loss", "hinge");
    assertEquals(0, hinge.status(), hinge.out());
  }

  @Test
  void errorsSayWhatIsWrongInOneLine() {
    Run typo = run("train", "--config", "conf/two-moons.conf", "--set", "training.epoch=3");
    assertEquals(1, typo.status());
    assertTrue(typo.err().contains("unknown setting 'training.epoch'"), typo.err());
    Run spec = run("train", "--config", "conf/two-moons.conf", "--set", "model.network=2-32tanx-2",
        "--set", "training.trainer=local", "--out", dir.resolve("x").toString());
    assertEquals(1, spec.status());
    assertTrue(spec.err().contains("unknown activation 'tanx'"), spec.err());
    assertEquals(1, spec.err().strip().split("\n").length, "one line: " + spec.err());
    Run data = run("evaluate", "--model", dir.resolve("none").toString(), "--data", "toy:two_moons");
    assertEquals(1, data.status());
    assertTrue(data.err().contains("no Sparkprop model"), data.err());
    Run usage = run("train", "--no-such-flag");
    assertEquals(2, usage.status());
  }
}
