package org.sparkprop.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkprop.data.Block;
import org.sparkprop.data.Scaler;
import org.sparkprop.nn.Network;

/**
 * A trained network: topology and loss, flat weights and batch-norm state, the feature scaling
 * fitted on the training data, class names (when labels were strings) and provenance (config,
 * seed, versions, data source, metrics). Immutable; predictions go through a {@link Predictor},
 * one per thread.
 */
public final class Model {

  private final Network network;
  private final float[] params;
  private final float[] netState;
  private final Scaler scaler;
  private final List<String> classNames;
  private final Map<String, Object> provenance;

  public Model(Network network, float[] params, float[] netState, Scaler scaler,
               List<String> classNames, Map<String, Object> provenance) {
    if (params.length != network.paramCount() || netState.length != network.stateCount()) {
      throw new IllegalArgumentException("weights (" + params.length + " + " + netState.length
          + " floats) do not fit network '" + network.spec() + "' (" + network.paramCount() + " + "
          + network.stateCount() + ")");
    }
    scaler.checkWidth(network.inputSize());
    if (classNames != null && network.numClasses() != classNames.size()) {
      throw new IllegalArgumentException(classNames.size() + " class names for a network with "
          + network.numClasses() + " classes");
    }
    this.network = network;
    this.params = params;
    this.netState = netState;
    this.scaler = scaler;
    this.classNames = classNames == null ? null : List.copyOf(classNames);
    this.provenance = new LinkedHashMap<>(provenance);
  }

  public Network network() {
    return network;
  }

  /** The flat parameters. Do not modify. */
  public float[] params() {
    return params;
  }

  public float[] netState() {
    return netState;
  }

  public Scaler scaler() {
    return scaler;
  }

  /** Class names by index, or null when the labels were numbers. */
  public List<String> classNames() {
    return classNames;
  }

  public Map<String, Object> provenance() {
    return java.util.Collections.unmodifiableMap(provenance);
  }

  public int numFeatures() {
    return network.inputSize();
  }

  public int numClasses() {
    return network.numClasses();
  }

  public boolean isClassifier() {
    return network.loss().isClassification();
  }

  /** A predictor with its own workspace for batches of up to {@code maxRows} rows. */
  public Predictor predictor(int maxRows) {
    return new Predictor(this, maxRows);
  }

  /** Loss and accuracy (or RMSE) on unscaled data, which this model scales itself. */
  public BatchSums evaluate(Block data) {
    org.sparkprop.data.Blocks.checkFits(data, network, "evaluation data");
    return new Evaluator(network, 256).evaluate(params, netState, scaler.apply(data));
  }
}
