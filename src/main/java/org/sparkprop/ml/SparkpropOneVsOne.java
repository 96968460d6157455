package org.sparkprop.ml;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * One-vs-one around a binary {@link SparkpropClassifier}: for every pair of classes i &lt; j it
 * trains a copy of the base classifier on the rows of those two classes (label 1 for j, 0 for i);
 * the model predicts the class with most votes, ties broken by the summed probability of the voters.
 * (Spark's OneVsRest covers one-vs-rest; this is the other classic reduction.) Saves as Spark's
 * metadata line plus the base classifier under {@code classifier/}.
 */
public final class SparkpropOneVsOne extends Estimator<SparkpropOneVsOneModel> implements MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  /** The base classifier: a Param, as Spark's OneVsRest has it, so grids and copies reach it. */
  private final Param<SparkpropClassifier> classifier;

  public SparkpropOneVsOne() {
    this(Uids.random("sparkpropOneVsOne"));
  }

  public SparkpropOneVsOne(String uid) {
    this(Uids.stash(uid));
  }

  private SparkpropOneVsOne(Uids.Token token) {
    super();
    this.uid = token.take();
    featuresCol = new Param<>(this, "featuresCol", "features column name");
    labelCol = new Param<>(this, "labelCol", "label column name (class indices)");
    predictionCol = new Param<>(this, "predictionCol", "prediction column name");
    setDefault(featuresCol, "features");
    setDefault(labelCol, "label");
    classifier = new Param<>(this, "classifier", "the binary classifier trained for each pair of "
        + "classes (copied per pair, with a seed per pair)");
    setDefault(predictionCol, "prediction");
    setDefault(classifier, new SparkpropClassifier());
  }

  public Param<SparkpropClassifier> classifier() {
    return classifier;
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public SparkpropOneVsOne setFeaturesCol(String v) {
    return (SparkpropOneVsOne) set(featuresCol, v);
  }

  public SparkpropOneVsOne setLabelCol(String v) {
    return (SparkpropOneVsOne) set(labelCol, v);
  }

  public SparkpropOneVsOne setPredictionCol(String v) {
    return (SparkpropOneVsOne) set(predictionCol, v);
  }

  /** The binary classifier trained for each pair (its params are copied per pair). */
  public SparkpropOneVsOne setClassifier(SparkpropClassifier c) {
    return (SparkpropOneVsOne) set(classifier, c);
  }

  public SparkpropClassifier getClassifier() {
    return getOrDefault(classifier);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return SparkpropOneVsOneModel.appendPrediction(schema, getOrDefault(predictionCol));
  }

  @Override
  public SparkpropOneVsOneModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    String label = getOrDefault(labelCol);
    Dataset<Row> df = dataset.toDF().withColumn(label, functions.col(label).cast("double"));
    List<Row> counts = df.groupBy(label).count().collectAsList();    // one row per class
    if (counts.isEmpty()) {
      throw new IllegalArgumentException("the training data is empty");
    }
    java.util.Set<Integer> present = new java.util.HashSet<>();
    for (Row r : counts) {
      if (r.isNullAt(0)) {
        throw new IllegalArgumentException("label column '" + label + "' has null labels");
      }
      double y = r.getDouble(0);
      if (y < 0 || y != Math.rint(y)) {
        throw new IllegalArgumentException("labels must be class indices 0, 1, 2, ...; found " + y);
      }
      present.add((int) y);
    }
    int numClasses = java.util.Collections.max(present) + 1;
    for (int c = 0; c < numClasses; c++) {
      if (!present.contains(c)) {
        throw new IllegalArgumentException("class " + c + " has no rows (labels go up to "
            + (numClasses - 1) + "): every pair needs both of its classes; re-index the labels");
      }
    }
    List<SparkpropClassificationModel> models = new ArrayList<>();
    for (int i = 0; i < numClasses; i++) {
      for (int j = i + 1; j < numClasses; j++) {
        Dataset<Row> pair = df.filter(functions.col(label).equalTo(i).or(functions.col(label).equalTo(j)))
            .withColumn(label, functions.when(functions.col(label).equalTo(j), 1.0).otherwise(0.0));
        SparkpropClassifier base = getClassifier();
        SparkpropClassifier c = base.copy(ParamMap.empty())
            .setFeaturesCol(getOrDefault(featuresCol)).setLabelCol(label)
            .setSeed(base.getSeed() + 31L * (i * numClasses + j));
        models.add(c.fit(pair));
      }
    }
    SparkpropOneVsOneModel m = new SparkpropOneVsOneModel(uid(), numClasses, models);
    return copyValues(m, ParamMap.empty()).setParent(this);
  }

  @Override
  public MLWriter write() {
    return Persistence.writer(path -> {
      Persistence.saveMetadata(this, path, null);
      getClassifier().write().save(path + "/classifier");
    });
  }

  public static MLReader<SparkpropOneVsOne> read() {
    return new MLReader<>() {
      @Override
      public SparkpropOneVsOne load(String path) {
        try {
          JsonNode meta = Persistence.loadMetadata(path, SparkpropOneVsOne.class);
          SparkpropOneVsOne e = new SparkpropOneVsOne(meta.path("uid").asText());
          e = e.copy(Persistence.paramMap(e, meta.path("paramMap")));
          return e.setClassifier(SparkpropClassifier.load(path + "/classifier"));
        } catch (IOException ex) {
          throw new UncheckedIOException(ex.getMessage(), ex);
        }
      }
    };
  }

  public static SparkpropOneVsOne load(String path) {
    return read().load(path);
  }

  @Override
  public SparkpropOneVsOne copy(ParamMap extra) {
    SparkpropOneVsOne c = defaultCopy(extra);
    // The base's own params in extra (a tuning grid over them) apply to the copy's base.
    return c.setClassifier(c.getClassifier().copy(extra));
  }
}
