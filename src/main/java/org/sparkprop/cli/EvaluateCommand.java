package org.sparkprop.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkprop.spark.DistributedTrainer;
import org.sparkprop.train.ArrayFile;
import org.sparkprop.train.BatchSums;
import org.sparkprop.train.Evaluator;
import org.sparkprop.train.Model;
import org.sparkprop.train.ModelIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparkprop evaluate}: loss and accuracy (or RMSE) of a saved model on a data source. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a saved model on data (Spark sources on the executors).")
final class EvaluateCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, required = true, description = "model directory (a path, file: URI or any Hadoop path)")
  String modelDir;

  @Option(names = {"-d", "--data"}, required = true, description = "data source, e.g. fashion-mnist:test")
  String data;

  @Option(names = {"-c", "--config"}, description = "config for reader settings (csv.label, ...)")
  File config;

  @Option(names = {"-s", "--set"}, description = "override a setting")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", description = "Spark master, for sources read through Spark "
      + "(parquet:, hdfs:...); default: spark-submit's, else spark.master of the config")
  String master;

  @Override
  public Integer call() throws Exception {
    OutputDir model = OutputDir.of(modelDir, "--model");
    Model m = ModelIO.load(ModelDirs.engineModel(model));
    RunConfig rc = RunConfig.load(config, overrides);
    BatchSums s;
    if (DataSources.needsSpark(data)) {                    // evaluated on the executors
      try (CommandSession cs = new CommandSession(master, rc)) {
        JavaSparkContext sc = cs.sc;
        DataSources.Loaded d = new DataSources(rc).expectFeatures(m.numFeatures())
            .load(data, cs.spark, sc.defaultParallelism()).alignedTo(m.classNames());
        s = DistributedTrainer.evaluate(sc, m, d.distributed(sc, sc.defaultParallelism()),
            rc.train(m.numFeatures(), m.network().outputSize()).toBuilder()
                .network(m.network().spec().toString()).loss(m.network().loss().name()).build());
      }
    } else {
      s = m.evaluate(new DataSources(rc).expectFeatures(m.numFeatures()).load(data, null, 1)
          .alignedTo(m.classNames()).local());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.location());
    out.put("data", data);
    out.put("rows", s.rows);
    out.put("loss", TrainCommand.round(s.meanLoss()));
    out.put(Evaluator.metricName(m.network()), TrainCommand.round(Evaluator.metric(m.network(), s)));
    System.out.println(ArrayFile.json().writeValueAsString(out));
    return 0;
  }
}
