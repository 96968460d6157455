package org.sparkprop.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkprop.train.Model;

/**
 * The model a {@link SparkpropClassifier} trains: rawPrediction (logits; [−z, z] for one output
 * unit), probability (softmax, or the logistic function for one unit) and prediction columns.
 * {@code transform} runs no Spark action, so it also works on streaming DataFrames.
 */
public final class SparkpropClassificationModel
    extends ProbabilisticClassificationModel<Vector, SparkpropClassificationModel>
    implements SparkpropParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final ParamSet params;
  private final ModelData data;
  private final int numClasses;
  private transient TrainingSummary summary;

  SparkpropClassificationModel(String uid, ModelData data, int numClasses) {
    this(Uids.stash(uid), data, numClasses);
  }

  private SparkpropClassificationModel(Uids.Token token, ModelData data, int numClasses) {
    super();
    this.uid = token.take();
    this.params = new ParamSet(this, true);
    params.setDefaults(this, true);
    this.data = data;
    this.numClasses = numClasses;
  }

  /** For Spark Connect's model discovery only; a model without weights cannot predict. */
  public SparkpropClassificationModel() {
    this(Uids.stash(Uids.random("sparkpropClassificationModel")), null, 2);
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  @Override
  public ParamSet paramSet() {
    return params;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int numFeatures() {
    return data().numFeatures();
  }

  ModelData data() {
    if (data == null) {
      throw new IllegalStateException("this model has no weights (it was made by the no-argument "
          + "constructor); load or train one");
    }
    return data;
  }

  /** The trained engine model (network, weights, scaling, provenance). */
  public Model engineModel() {
    return data().model();
  }

  @Override
  public Vector predictRaw(Vector features) {
    float[] s = data().scores(features);
    if (s.length == 1) {
      return Vectors.dense(-s[0], s[0]);
    }
    double[] raw = new double[s.length];
    for (int k = 0; k < s.length; k++) {
      raw[k] = s[k];
    }
    return Vectors.dense(raw);
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    if (!(rawPrediction instanceof DenseVector dv)) {
      throw new IllegalArgumentException("rawPrediction must be a dense vector");
    }
    BatchedTransform.probabilityInPlace(dv.values(), data().outputs() == 1);
    return dv;
  }

  /**
   * Blocks of rows through the network's forward GEMMs ({@link BatchedTransform}), with the
   * values of predictRaw, raw2probability and raw2prediction; lazy, so streaming works.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    double[] t = isDefined(thresholds()) ? getThresholds() : null;
    if (t != null && t.length != numClasses) {
      throw new IllegalArgumentException("thresholds has " + t.length + " values but the model has "
          + numClasses + " classes");
    }
    return BatchedTransform.apply(dataset, out, data(), getFeaturesCol(), getRawPredictionCol(),
        getProbabilityCol(), getPredictionCol(), true, t);
  }

  @Override
  public SparkpropClassificationModel copy(ParamMap extra) {
    SparkpropClassificationModel m = copyValues(new SparkpropClassificationModel(uid, data, numClasses),
        extra);
    m.summary = summary;
    return m.setParent(parent());
  }

  void setSummary(TrainingSummary s) {
    this.summary = s;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  /** Training history of this model (not kept by save/load). */
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

  public static MLReader<SparkpropClassificationModel> read() {
    return new MLReader<>() {
      @Override
      public SparkpropClassificationModel load(String path) {
        try {
          Persistence.Loaded l = Persistence.load(path, SparkpropClassificationModel.class);
          Model m = l.model();
          if (!m.isClassifier()) {
            throw new IOException("the model at " + path + " is a regression model (loss "
                + m.network().loss().name() + "); load it with SparkpropRegressionModel.load");
          }
          SparkpropClassificationModel model = new SparkpropClassificationModel(l.uid(),
              new ModelData(m), m.numClasses());
          Persistence.setSavedDefaults(model, l.defaultParamMap());
          return model.copy(Persistence.paramMap(model, l.paramMap()));
        } catch (IOException e) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
      }
    };
  }

  public static SparkpropClassificationModel load(String path) {
    return read().load(path);
  }

  /**
   * Java sees this Scala method twice (from ClassificationModel and ProbabilisticClassificationModel)
   * and needs it resolved; Spark's own implementation is kept.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public String toString() {
    return "SparkpropClassificationModel: uid=" + uid + ", numClasses=" + numClasses
        + (data == null ? "" : ", network=" + engineModel().network().spec());
  }
}
