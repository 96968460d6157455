package org.sparkprop.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.train.ArrayFile;

/**
 * The voting model {@link SparkpropOneVsOne} trains; transform runs no action. Saves as Spark's
 * metadata line plus one saved {@link SparkpropClassificationModel} per pair under {@code pairs/k}.
 */
public final class SparkpropOneVsOneModel extends Model<SparkpropOneVsOneModel> implements MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final int numClasses;
  private final List<SparkpropClassificationModel> models;
  private final Param<String> featuresCol;
  private final Param<String> predictionCol;

  SparkpropOneVsOneModel(String uid, int numClasses, List<SparkpropClassificationModel> models) {
    this(Uids.stash(uid), numClasses, models);
  }

  /** For Spark Connect's model discovery only; a model without pair models cannot predict. */
  public SparkpropOneVsOneModel() {
    this(Uids.stash(Uids.random("sparkpropOneVsOneModel")), 2, List.of());
  }

  private SparkpropOneVsOneModel(Uids.Token token, int numClasses,
                                 List<SparkpropClassificationModel> models) {
    super();
    this.uid = token.take();
    this.numClasses = numClasses;
    this.models = List.copyOf(models);
    featuresCol = new Param<>(this, "featuresCol", "features column name");
    predictionCol = new Param<>(this, "predictionCol", "prediction column name");
    setDefault(featuresCol, "features");
    setDefault(predictionCol, "prediction");
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public int numClasses() {
    return numClasses;
  }

  /** The pairwise models, in order (0,1), (0,2), ..., (K−2,K−1). */
  public List<SparkpropClassificationModel> models() {
    return models;
  }

  static StructType appendPrediction(StructType schema, String col) {
    if (java.util.Arrays.asList(schema.fieldNames()).contains(col)) {
      throw new IllegalArgumentException("output column " + col + " already exists");
    }
    return schema.add(new StructField(col, DataTypes.DoubleType, false,
        org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return appendPrediction(schema, getOrDefault(predictionCol));
  }

  /** Votes in blocks of rows, each pairwise model one forward pass per block ({@link OneVsOneVotes}). */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    if (models.isEmpty()) {
      throw new IllegalStateException("this model has no pair models (it was made by the "
          + "no-argument constructor); load or train one");
    }
    List<ModelData> pairs = new ArrayList<>();
    for (SparkpropClassificationModel m : models) {
      pairs.add(m.data());
    }
    OneVsOneVotes f = new OneVsOneVotes(pairs, numClasses,
        dataset.schema().fieldIndex(getOrDefault(featuresCol)));
    String prediction = getOrDefault(predictionCol);
    return dataset.toDF().mapPartitions(f, Encoders.row(out))
        .withMetadata(prediction, out.apply(prediction).metadata());
  }

  @Override
  public MLWriter write() {
    return Persistence.writer(path -> {
      ObjectNode extra = ArrayFile.json().createObjectNode().put("numClasses", numClasses)
          .put("pairs", models.size());
      Persistence.saveMetadata(this, path, extra);
      for (int k = 0; k < models.size(); k++) {
        models.get(k).write().save(path + "/pairs/" + k);
      }
    });
  }

  public static MLReader<SparkpropOneVsOneModel> read() {
    return new MLReader<>() {
      @Override
      public SparkpropOneVsOneModel load(String path) {
        try {
          JsonNode meta = Persistence.loadMetadata(path, SparkpropOneVsOneModel.class);
          int k = meta.path("sparkprop").path("numClasses").asInt();
          int pairs = meta.path("sparkprop").path("pairs").asInt();
          if (k < 2 || pairs != k * (k - 1) / 2) {
            throw new IOException(path + ": " + pairs + " pairwise models for " + k + " classes");
          }
          List<SparkpropClassificationModel> ms = new ArrayList<>();
          for (int i = 0; i < pairs; i++) {
            ms.add(SparkpropClassificationModel.load(path + "/pairs/" + i));
          }
          SparkpropOneVsOneModel m = new SparkpropOneVsOneModel(meta.path("uid").asText(), k, ms);
          return m.copy(Persistence.paramMap(m, meta.path("paramMap")));
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
    };
  }

  public static SparkpropOneVsOneModel load(String path) {
    return read().load(path);
  }

  @Override
  public SparkpropOneVsOneModel copy(ParamMap extra) {
    List<SparkpropClassificationModel> copies = new ArrayList<>();
    for (SparkpropClassificationModel m : models) {
      copies.add(m.copy(ParamMap.empty()));
    }
    return copyValues(new SparkpropOneVsOneModel(uid, numClasses, copies), extra).setParent(parent());
  }
}
