package org.sparkprop.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkprop.data.Block;
import org.sparkprop.data.Blocks;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.spark.SparkSessions;
import org.sparkprop.spark.SparkTrainConfig;
import org.sparkprop.train.ArrayFile;
import org.sparkprop.train.AutoArchitecture;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.Checkpoints;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.FileStore;
import org.sparkprop.train.LocalTrainer;
import org.sparkprop.train.ModelIO;
import org.sparkprop.train.ModelSelection;
import org.sparkprop.train.TrainConfig;
import org.sparkprop.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkprop train}: trains a model as the config says, evaluates it on the test data, and
 * writes into the output directory the model, metrics (CSV, JSON), learning curves (PNG) and a
 * summary; the summary is also the last line printed, as JSON.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model (Spark local mode, a cluster via spark-submit, or one JVM).")
final class TrainCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, description = "HOCON config file (see conf/)")
  File config;

  @Option(names = {"-s", "--set"}, description = "override a setting, e.g. training.epochs=5")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", description = "Spark master (overrides spark-submit and the config)")
  String master;

  @Option(names = "--out",
      description = "output directory (default: a time-stamped folder under output.dir)")
  String out;

  @Option(names = "--resume", description = "continue from the latest checkpoint in checkpoint.dir")
  boolean resume;

  @Option(names = "--overwrite", description = "replace an existing model and checkpoints")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    List<String> all = new ArrayList<>(overrides);
    if (overwrite) {
      all.add("output.overwrite=true");
    }
    RunConfig rc = RunConfig.load(config, all);
    // Checked now, before any data is read; in/out placeholders are set once the data is known.
    TrainConfig tc = rc.train(1, 2);
    // --out DIR is used as is; otherwise every run gets its own time-stamped folder under output.dir.
    // Local paths or any Hadoop file system (OutputDir's rule).
    OutputDir outDir = out != null ? OutputDir.of(out, "--out")
        : OutputDir.of(rc.string("output.dir"), "output.dir").child(java.time.LocalDateTime.now()
            .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    FileStore modelStore = outDir.child("model").store();
    if (!rc.bool("output.overwrite") && modelStore.exists(ModelIO.METADATA) && !resume) {
      throw new IllegalArgumentException("a model already exists in " + outDir
          + "; use --out for another directory or --overwrite to replace it");
    }
    outDir.create();
    DataSources sources = new DataSources(rc);
    Map<String, Object> summary = new LinkedHashMap<>();
    TrainingResult result;
    BatchSums test = null;
    double startup = 0;
    double dataSeconds;
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    if (rc.useSpark()) {
      long s0 = System.nanoTime();
      SparkConf conf = new SparkConf();
      if (master != null) {
        conf.setMaster(master);
      }
      SparkSessions.defaults(conf, rc.string("spark.master"));
      // The UI is off by default in local mode (start-up time); on a cluster it stays on, as its
      // users expect, unless spark-submit's own spark.ui.enabled says otherwise.
      boolean local = conf.get("spark.master", "local").startsWith("local");
      conf.set("spark.ui.enabled", conf.get("spark.ui.enabled",
          Boolean.toString(rc.bool("spark.ui") || !local)));
      if (local) {                       // executors are this JVM's threads: they see its files
        sources.readLargeLocalFilesOnExecutors(rc.bytes("data.executorReadBytes"));
      }
      boolean ownSession = SparkSession.getDefaultSession().isEmpty();   // embedded: leave it running
      SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      startup = (System.nanoTime() - s0) / 1e9;
      summary.put("master", sc.master());
      summary.put("jvm_start_to_spark_ready_seconds",
          round((System.currentTimeMillis() - jvmStartMs) / 1e3));
      try {
        long d0 = System.nanoTime();
        SparkTrainConfig dist = rc.spark();
        // data.partitions = 0: driver-side data is split over the executor cores, and data that
        // Spark reads keeps the source's own partitioning (no shuffle of the whole set).
        int partitions = dist.partitions() > 0 ? dist.partitions() : executorCores(sc);
        int read = dist.partitions();
        DataSources.Loaded train = sources.load(rc.string("data.train"), spark, read);
        RowCount trainRows = new RowCount(train);
        tc = resolved(rc, tc, train, trainRows);
        sources.expectFeatures(tc.buildNetwork().inputSize());   // validation and test sets
        JavaRDD<Block> trainRdd = train.distributed(sc, partitions);
        JavaRDD<Block> valRdd = null;
        if (!rc.string("data.validation").isEmpty()) {
          valRdd = sources.load(rc.string("data.validation"), spark, read)
              .alignedTo(train.classNames()).distributed(sc, partitions);
        } else {
          double share = validationShare(tc, trainRows);
          if (share > 0) {
            JavaRDD<Block>[] split = org.sparkprop.spark.SparkData.holdOut(trainRdd, share, tc.seed());
            trainRdd = split[0];
            valRdd = split[1];
          }
        }
        DataSources.Loaded testData = rc.string("data.test").isEmpty() ? null
            : sources.load(rc.string("data.test"), spark, read).alignedTo(train.classNames())
                .checkedAgainst(tc.buildNetwork(), "test data");
        dataSeconds = (System.nanoTime() - d0) / 1e9;
        DistributedTrainer trainer = new DistributedTrainer(sc, tc,
            dist.withPartitions(0)).listener(new ProgressPrinter(System.out))
            .classNames(train.classNames()).dataSource(train.source());
        result = trainer.fit(trainRdd, valRdd, resume);
        if (testData != null) {
          test = testData.block() != null ? result.model().evaluate(testData.block())
              : DistributedTrainer.evaluate(sc, result.model(), testData.distributed(sc, partitions), tc);
        }
        summary.put("mode", trainer.stats().mode);
        summary.put("partitions", trainer.stats().partitions);
        summary.put("replicas", trainer.stats().replicas);
        summary.put("local_steps", trainer.stats().localSteps);
        summary.put("jobs", trainer.stats().jobs);
        summary.put("outside_compute_fraction", round(trainer.stats().outsideComputeFraction()));
        if (trainer.stats().collectiveSteps > 0) {         // allreduce: a step's exchange, and its compute
          summary.put("collective_ms_per_step",
              round(1e3 * trainer.stats().collectiveSeconds / trainer.stats().collectiveSteps));
          summary.put("compute_ms_per_step",
              round(1e3 * trainer.stats().taskComputeSeconds / trainer.stats().collectiveSteps));
        }
        if (trainer.stats().blas != null) {
          summary.put("blas", trainer.stats().blas.driver());
          summary.put("executor_blas", List.copyOf(trainer.stats().blas.executorBackends()));
          summary.put("executor_blas_differs", trainer.stats().blas.mismatch());
        }
      } finally {
        if (ownSession) {
          spark.stop();
        }
      }
    } else {
      long d0 = System.nanoTime();
      DataSources.Loaded train = sources.load(rc.string("data.train"), null, 1);
      tc = resolved(rc, tc, train, new RowCount(train));
      sources.expectFeatures(tc.buildNetwork().inputSize());     // validation and test sets
      Block val = rc.string("data.validation").isEmpty() ? null
          : sources.load(rc.string("data.validation"), null, 1).alignedTo(train.classNames()).local();
      DataSources.Loaded testData = rc.string("data.test").isEmpty() ? null
          : sources.load(rc.string("data.test"), null, 1).alignedTo(train.classNames())
              .checkedAgainst(tc.buildNetwork(), "test data");
      dataSeconds = (System.nanoTime() - d0) / 1e9;
      LocalTrainer trainer = new LocalTrainer(tc).listener(new ProgressPrinter(System.out))
          .classNames(train.classNames()).dataSource(train.source());
      if (!rc.string("checkpoint.dir").isEmpty()) {
        Checkpoints ck = new Checkpoints(OutputDir.of(rc.string("checkpoint.dir"), "checkpoint.dir")
            .store(), rc.integer("checkpoint.keepLast"));
        if (!resume) {
          ck.prepareFresh(rc.bool("output.overwrite"));
        }
        trainer.checkpoints(ck, 1);
      }
      Block trainBlock = train.local();
      double share = tc.validationShare(trainBlock.rows());
      if (val == null && share > 0) {
        Block[] split = org.sparkprop.data.Blocks.split(trainBlock, share, tc.seed());
        trainBlock = split[0];
        val = split[1];
      }
      result = resume ? trainer.resume(List.of(trainBlock), val)
          : trainer.fit(List.of(trainBlock), val, null);
      if (testData != null) {
        test = result.model().evaluate(testData.local());
      }
      summary.put("threads", tc.threads());
    }
    ModelIO.save(result.model(), modelStore, true);
    summary.put("trainer", rc.useSpark() ? "spark" : "local");
    summary.put("network", tc.network());
    summary.put("loss", tc.loss());
    summary.put("epochs", result.history().size());
    summary.put("steps", result.steps());
    summary.put("train_seconds", round(result.trainSeconds()));
    summary.put("spark_startup_seconds", round(startup));
    summary.put("data_seconds", round(dataSeconds));
    if (result.last() != null) {
      summary.put("train_loss", round(result.last().trainLoss()));
      summary.put("samples_per_s", Math.round(result.last().samplesPerSecond()));
    }
    if (test != null) {
      summary.put("test_loss", round(test.meanLoss()));
      summary.put("test_" + Evaluator.metricName(result.model().network()),
          round(Evaluator.metric(result.model().network(), test)));
      summary.put("test_rows", test.rows);
    }
    summary.put("stopped_early", result.stoppedEarly());
    summary.put("output", outDir.location());
    Reports.metricsCsv(result.history(), outDir, "metrics.csv");
    Reports.metricsJson(result.history(), summary, outDir, "metrics.json");
    if (rc.bool("output.plot") && !result.history().isEmpty()) {
      Plots.png(Plots.run(Plots.Curves.of(result.history(), tc.network()), tc.network()),
          outDir.store().create("training.png"));
    }
    outDir.write("config.json", rc.toJson());
    String json = ArrayFile.json().writeValueAsString(summary);
    outDir.write("summary.json", json);
    System.out.println("model, metrics and plot in " + outDir);
    System.out.println(json);
    return 0;
  }

  /**
   * model.network with its in/out placeholders set from the training data (as is without them);
   * for {@code auto}, the network or the linear model as {@link AutoArchitecture} chooses.
   */
  private static TrainConfig resolved(RunConfig rc, TrainConfig tc, DataSources.Loaded train,
                                      RowCount trainRows) {
    String given = rc.string("model.network");
    if (!NetworkPlaceholders.present(given)) {
      return tc;
    }
    int[] w = NetworkPlaceholders.widths(train, tc.loss());
    TrainConfig r = rc.train(w[0], w[1]);
    String how = "widths from " + train.source();
    if (given.trim().equals(NetworkPlaceholders.AUTO)) {
      long rows = trainRows.get();
      if (AutoArchitecture.crossValidates(rows, w[0])) {
        Block data = train.block() != null ? train.block()
            : Blocks.concat(train.rdd().filter(b -> b.rows() > 0).collect());
        ModelSelection.Choice choice = AutoArchitecture.choose(r,
            AutoArchitecture.linearCandidates(r, rc.isSet("training.optimizer")), data);
        r = choice.winner().config();
        how = choice.winner().name() + " from " + choice.describe() + " on " + rows + " rows";
      } else {
        how += "; " + AutoArchitecture.HIDDEN + " on " + rows + " rows, cross-validation runs from "
            + AutoArchitecture.MIN_ROWS + " to " + (AutoArchitecture.NETWORK_ROWS - 1) + " rows, at most "
            + AutoArchitecture.MAX_FLOATS + " values";
      }
    }
    System.err.println("[sparkprop] network " + r.network() + " with " + r.optimizer()
        + " (model.network = " + given + ", " + how + ")");
    return r;
  }

  /** The validation share of the training data: fixed, or automatic by its row count. */
  private static double validationShare(TrainConfig tc, RowCount trainRows) {
    if (tc.validationFraction() >= 0) {
      return tc.validationFraction();
    }
    return tc.validationShare(trainRows.get());
  }

  /** The training rows, counted (a pass over Spark-read data) once, when first asked. */
  private static final class RowCount {
    private final DataSources.Loaded data;
    private long rows = -1;

    RowCount(DataSources.Loaded data) {
      this.data = data;
    }

    long get() {
      if (rows < 0) {
        rows = data.block() != null ? data.block().rows()
            : data.rdd().map(b -> (long) b.rows()).reduce(Long::sum);
      }
      return rows;
    }
  }

  /**
   * Spark's default parallelism once the executors have registered: right after start-up a
   * standalone cluster may not have reported its cores yet. Waits until the executor count is
   * stable for 2 s (at most 60 s); local mode answers at once.
   */
  static int executorCores(JavaSparkContext sc) throws InterruptedException {
    if (sc.master().startsWith("local")) {
      return sc.defaultParallelism();
    }
    long deadline = System.currentTimeMillis() + 60_000;
    int seen = -1;
    long stableSince = System.currentTimeMillis();
    while (System.currentTimeMillis() < deadline) {
      int now = sc.sc().statusTracker().getExecutorInfos().length - 1;   // minus the driver
      if (now != seen) {
        seen = now;
        stableSince = System.currentTimeMillis();
      } else if (now > 0 && System.currentTimeMillis() - stableSince > 2000) {
        break;
      }
      Thread.sleep(200);
    }
    return sc.defaultParallelism();
  }

  static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
  }
}
