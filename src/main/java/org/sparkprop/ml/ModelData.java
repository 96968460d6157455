package org.sparkprop.ml;

import java.util.List;
import java.util.Map;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Losses;
import org.sparkprop.nn.Network;
import org.sparkprop.nn.NetworkSpec;
import org.sparkprop.train.Model;
import org.sparkprop.train.Predictor;

/**
 * The trained network inside a Spark ML model, in serialisable form (plain strings and float
 * arrays: it travels inside the UDFs of {@code transform}). The engine's {@link Model} and one
 * {@link Predictor} per thread are rebuilt lazily wherever it lands.
 */
final class ModelData implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  private final String network;
  private final String loss;
  private final float[] params;
  private final float[] netState;
  private final String scaling;
  private final float[] shift;
  private final float[] scale;
  private final List<String> classNames;
  private final Map<String, Object> provenance;
  private transient Model model;
  private transient ThreadLocal<Predictor> predictors;

  ModelData(Model m) {
    this.network = m.network().spec().toString();
    this.loss = m.network().loss().name();
    this.params = m.params();
    this.netState = m.netState();
    this.scaling = m.scaler().kind().name();
    this.shift = m.scaler().shift();
    this.scale = m.scaler().scale();
    this.classNames = m.classNames() == null ? null : List.copyOf(m.classNames());
    this.provenance = new java.util.LinkedHashMap<>(m.provenance());
    this.model = m;
  }

  synchronized Model model() {
    if (model == null) {
      Network net = Network.of(NetworkSpec.parse(network), Losses.byName(loss),
          org.sparkprop.linalg.Blas.fast());
      model = new Model(net, params, netState, new Scaler(Scaler.Kind.valueOf(scaling), shift, scale),
          classNames, provenance == null ? Map.of() : provenance);
    }
    return model;
  }

  /** A predictor for single rows, one per thread. */
  Predictor predictor() {
    ThreadLocal<Predictor> tl;
    synchronized (this) {
      if (predictors == null) {
        Model m = model();
        predictors = ThreadLocal.withInitial(() -> m.predictor(1));
      }
      tl = predictors;
    }
    return tl.get();
  }

  int numFeatures() {
    return model().numFeatures();
  }

  int outputs() {
    return model().network().outputSize();
  }

  /** The scores of one row: logits (K outputs) or the margin (1 output). */
  float[] scores(org.apache.spark.ml.linalg.Vector features) {
    int f = numFeatures();
    if (features.size() != f) {
      throw new IllegalArgumentException("the model expects " + f + " features, but a row has "
          + features.size());
    }
    float[] row = new float[f];
    for (int i = 0; i < f; i++) {
      row[i] = (float) features.apply(i);
    }
    return predictor().scores(row);
  }
}
