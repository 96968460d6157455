package org.sparkprop.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.train.Model;

/** The model a {@link SparkpropRegressor} trains: one predicted value per row. */
public final class SparkpropRegressionModel
    extends PredictionModel<Vector, SparkpropRegressionModel>
    implements SparkpropParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final ParamSet params;
  private final ModelData data;
  private transient TrainingSummary summary;

  SparkpropRegressionModel(String uid, ModelData data) {
    this(Uids.stash(uid), data);
  }

  private SparkpropRegressionModel(Uids.Token token, ModelData data) {
    super();
    this.uid = token.take();
    this.params = new ParamSet(this, false);
    params.setDefaults(this, false);
    this.data = data;
  }

  /** For Spark Connect's model discovery only; a model without weights cannot predict. */
  public SparkpropRegressionModel() {
    this(Uids.stash(Uids.random("sparkpropRegressionModel")), null);
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  @Override
  public ParamSet paramSet() {
    return params;
  }

  private ModelData data() {
    if (data == null) {
      throw new IllegalStateException("this model has no weights (it was made by the no-argument "
          + "constructor); load or train one");
    }
    return data;
  }

  public Model engineModel() {
    return data().model();
  }

  @Override
  public int numFeatures() {
    return data().numFeatures();
  }

  @Override
  public double predict(Vector features) {
    return data().scores(features)[0];
  }

  /** Blocks of rows through the network's forward GEMMs ({@link BatchedTransform}); lazy. */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    return BatchedTransform.apply(dataset, out, data(), getFeaturesCol(), "", "",
        getPredictionCol(), false, null);
  }

  @Override
  public SparkpropRegressionModel copy(ParamMap extra) {
    SparkpropRegressionModel m = copyValues(new SparkpropRegressionModel(uid, data), extra);
    m.summary = summary;
    return m.setParent(parent());
  }

  void setSummary(TrainingSummary s) {
    this.summary = s;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("no training summary: the model was loaded, not trained");
    }
    return summary;
  }

  @Override
  public MLWriter write() {
    return Persistence.writer(this, this::engineModel);
  }

  public static MLReader<SparkpropRegressionModel> read() {
    return new MLReader<>() {
      @Override
      public SparkpropRegressionModel load(String path) {
        try {
          Persistence.Loaded l = Persistence.load(path, SparkpropRegressionModel.class);
          if (l.model().isClassifier() || l.model().network().outputSize() != 1) {
            throw new IOException("the model at " + path + " is not a one-output regression model "
                + "(loss " + l.model().network().loss().name() + ", " + l.model().network().outputSize()
                + " outputs); load a classifier with SparkpropClassificationModel.load");
          }
          SparkpropRegressionModel model = new SparkpropRegressionModel(l.uid(), new ModelData(l.model()));
          Persistence.setSavedDefaults(model, l.defaultParamMap());
          return model.copy(Persistence.paramMap(model, l.paramMap()));
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
    };
  }

  public static SparkpropRegressionModel load(String path) {
    return read().load(path);
  }
}
