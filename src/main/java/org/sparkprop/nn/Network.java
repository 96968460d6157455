package org.sparkprop.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sparkprop.linalg.Blas;
import org.sparkprop.linalg.Rng;

/**
 * A feed-forward network: an immutable list of {@link Layer}s, a {@link Loss}, and the layout of
 * its parameters in one flat float array.
 *
 * <p>The network holds no weights. Parameters ({@link #paramCount()} floats, layer after layer,
 * see {@link #segments()}), non-trainable state ({@link #stateCount()} floats: batch-norm running
 * statistics) and gradients are plain arrays owned by the caller, so broadcasting, summing,
 * updating, checkpointing and saving are operations on one array each.
 *
 * <p>Typical step, reading the batch the caller put into the workspace:
 * <pre>
 *   Arrays.fill(grad, 0f);
 *   double lossSum = net.lossAndGradient(params, state, ws, rows, weighted, grad, noiseSeed, false);
 *   // grad now holds Σ_i w_i ∂L_i/∂params; divide by Σ_i w_i once, after summing all shards
 * </pre>
 */
public final class Network {

  private final NetworkSpec spec;
  private final Loss loss;
  private final List<Layer> layers;
  private final List<ParamSegment> segments;
  private final int paramCount;
  private final int stateCount;

  private Network(NetworkSpec spec, Loss loss, Blas blas) {
    this.spec = spec;
    this.loss = loss;
    List<Layer> ls = new ArrayList<>();
    int p = 0;
    int s = 0;
    int width = spec.inputSize();
    List<NetworkSpec.Block> blocks = spec.blocks();
    for (int bi = 0; bi < blocks.size(); bi++) {
      NetworkSpec.Block b = blocks.get(bi);
      Dense dense = new Dense(width, b.units(), p, ls.size(), blas);
      ls.add(dense);
      p += dense.paramCount();
      width = b.units();
      if (b.batchNorm()) {
        BatchNorm bn = new BatchNorm(width, p, s, ls.size());
        ls.add(bn);
        p += bn.paramCount();
        s += bn.stateCount();
      }
      if (b.activation() != Activation.IDENTITY) {   // identity is no layer at all
        ls.add(new ActivationLayer(b.activation(), b.activationParam(), width));
      }
      if (b.dropout() > 0) {
        ls.add(new Dropout(b.dropout(), width));
      }
    }
    this.layers = Collections.unmodifiableList(ls);
    List<ParamSegment> segs = new ArrayList<>();
    for (Layer l : ls) {
      segs.addAll(l.segments());
    }
    this.segments = List.copyOf(segs);
    this.paramCount = p;
    this.stateCount = s;
    NetworkSpec.Block out = blocks.get(blocks.size() - 1);
    loss.checkOutputWidth(out.units());
    if (loss.isClassification()
        && (out.activation() == Activation.SOFTMAX || out.activation() == Activation.SIGMOID)) {
      throw new IllegalArgumentException("Network spec '" + spec + "': the output layer applies "
          + out.activation().specName + ", but loss " + loss.name() + " works on raw scores and "
          + "applies its own link; remove '" + out.activation().specName + "' from the output layer");
    }
  }

  /** Builds a network from a spec and a loss name, with the fast BLAS. */
  public static Network of(String spec, String lossName) {
    return of(NetworkSpec.parse(spec), Losses.byName(lossName), Blas.fast());
  }

  public static Network of(NetworkSpec spec, Loss loss, Blas blas) {
    return new Network(spec, loss, blas);
  }

  public NetworkSpec spec() {
    return spec;
  }

  public Loss loss() {
    return loss;
  }

  public List<Layer> layers() {
    return layers;
  }

  public List<ParamSegment> segments() {
    return segments;
  }

  public int inputSize() {
    return spec.inputSize();
  }

  public int outputSize() {
    return spec.outputSize();
  }

  public int labelWidth() {
    return loss.labelWidth(outputSize());
  }

  /** Classes predicted (binary: 2), or 0 for a regression network. */
  public int numClasses() {
    return loss.numClasses(outputSize());
  }

  public int paramCount() {
    return paramCount;
  }

  public int stateCount() {
    return stateCount;
  }

  /** Fresh parameters from {@code init}, seeded: the same seed gives the same weights. */
  public float[] initParams(Init init, long seed) {
    if (init.kind() == Init.Kind.ZEROS && spec.hiddenLayers() > 0) {
      throw new IllegalArgumentException("init=zeros is for linear models only: with hidden layers "
          + "every hidden unit would compute the same thing forever. Use xavier or he.");
    }
    float[] params = new float[paramCount];
    Rng rng = new Rng(0);
    for (int i = 0; i < layers.size(); i++) {
      rng.reseed(Rng.derive(seed, Rng.INIT, i));
      layers.get(i).initParams(params, init, rng);
    }
    return params;
  }

  /** Fresh non-trainable state (running mean 0, running variance 1). */
  public float[] initState() {
    float[] state = new float[stateCount];
    for (Layer l : layers) {
      l.initState(state);
    }
    return state;
  }

  public Workspace newWorkspace(int maxRows) {
    return new Workspace(this, maxRows);
  }

  /** Throws a clear error if this network cannot be trained (it contains a step layer). */
  public void checkTrainable() {
    for (Layer l : layers) {
      if (!l.isDifferentiable()) {
        throw new IllegalArgumentException("Network '" + spec + "' cannot be trained: layer '"
            + l.describe() + "' is not differentiable. The Heaviside step is for prediction only; "
            + "train a linear output with loss=perceptron instead.");
      }
    }
  }

  /**
   * Forward pass over {@code ws.input()[0 .. rows·inputSize)}; returns {@code ws.output()}.
   * In training mode dropout draws from streams seeded by {@code noiseSeed} and batch norm uses
   * batch statistics and updates {@code state}; in inference mode both are deterministic.
   */
  public float[] forward(float[] params, float[] state, Workspace ws, int rows, boolean training,
                         long noiseSeed) {
    checkShapes(params, state, ws, rows);
    for (int i = 0; i < layers.size(); i++) {
      Scratch sc = ws.scratch[i];
      if (training) {
        sc.rng.reseed(Rng.derive2(noiseSeed, Rng.DROPOUT, i));
      }
      layers.get(i).forward(params, state, ws.acts[i], ws.acts[i + 1], rows, sc, training);
    }
    return ws.output();
  }

  /**
   * Training forward + loss + backward on the batch in {@code ws}. Adds Σ_i w_i·∂L_i/∂params into
   * {@code grad} and returns Σ_i w_i·L_i (w_i = 1 unless {@code weighted}). With
   * {@code wantInputGradient} also writes ∂/∂input into {@code ws.inputGradient()}.
   */
  public double lossAndGradient(float[] params, float[] state, Workspace ws, int rows,
                                boolean weighted, float[] grad, long noiseSeed,
                                boolean wantInputGradient) {
    if (grad.length != paramCount) {
      throw new IllegalArgumentException("gradient array has " + grad.length
          + " floats, the network has " + paramCount + " parameters");
    }
    forward(params, state, ws, rows, true, noiseSeed);
    int last = layers.size();
    float[] dOut = ws.dA;
    double lossSum = loss.evaluate(ws.acts[last], outputSize(), ws.labels,
        weighted ? ws.weights : null, rows, dOut);
    float[] spare = ws.dB;
    for (int i = last - 1; i >= 0; i--) {
      Layer layer = layers.get(i);
      float[] dIn = i > 0 ? spare : (wantInputGradient ? ws.inputGradient : null);
      if (!layer.isDifferentiable()) {
        checkTrainable();
      }
      layer.backward(params, ws.acts[i], ws.acts[i + 1], dOut, dIn, grad, rows, ws.scratch[i]);
      spare = dOut;
      dOut = dIn;
    }
    return lossSum;
  }

  /** Loss sum Σ_i w_i·L_i of the batch in {@code ws}, inference mode, no gradient. */
  public double loss(float[] params, float[] state, Workspace ws, int rows, boolean weighted) {
    float[] out = forward(params, state, ws, rows, false, 0L);
    return loss.evaluate(out, outputSize(), ws.labels, weighted ? ws.weights : null, rows, null);
  }

  private void checkShapes(float[] params, float[] state, Workspace ws, int rows) {
    if (params.length != paramCount) {
      throw new IllegalArgumentException("parameter array has " + params.length
          + " floats, network '" + spec + "' needs " + paramCount);
    }
    if (state.length != stateCount) {
      throw new IllegalArgumentException("state array has " + state.length
          + " floats, network '" + spec + "' needs " + stateCount);
    }
    if (ws.acts.length != layers.size() + 1 || ws.acts[0].length != ws.maxRows * inputSize()) {
      throw new IllegalArgumentException("workspace was made for a different network");
    }
    if (rows < 1 || rows > ws.maxRows) {
      throw new IllegalArgumentException("batch of " + rows + " rows does not fit a workspace of "
          + ws.maxRows + " rows");
    }
  }

  @Override
  public String toString() {
    return spec + " [" + loss.name() + ", " + paramCount + " parameters]";
  }
}
