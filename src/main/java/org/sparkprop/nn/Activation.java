package org.sparkprop.nn;

/**
 * Element-wise (and row-wise, for softmax) activation functions, each with its spec name.
 *
 * <pre>
 *   identity          y = z                         y' = 1
 *   relu              y = max(0, z)                 y' = [z &gt; 0]
 *   leakyrelu(α)      y = z if z &gt; 0 else α·z       y' = 1 or α            (α default 0.01)
 *   sigmoid(a)        y = σ(a·z) = 1/(1+e^(−a·z))   y' = a·y·(1−y)          (a default 1)
 *   tanh              y = tanh(z)                   y' = 1 − y²
 *   softmax           y_j = e^(z_j) / Σ_k e^(z_k)   dz_j = y_j·(dy_j − Σ_k dy_k·y_k)   (per row)
 *   step              y = [z &gt; 0]                   not differentiable: prediction only
 * </pre>
 */
public enum Activation {
  IDENTITY("identity", Double.NaN),
  RELU("relu", Double.NaN),
  LEAKY_RELU("leakyrelu", 0.01),
  SIGMOID("sigmoid", 1.0),
  TANH("tanh", Double.NaN),
  SOFTMAX("softmax", Double.NaN),
  STEP("step", Double.NaN);

  /** The name used in network specs. */
  public final String specName;
  /** Default parameter (α for leaky ReLU, slope a for sigmoid); NaN when it takes none. */
  public final double defaultParam;

  Activation(String specName, double defaultParam) {
    this.specName = specName;
    this.defaultParam = defaultParam;
  }

  public boolean takesParam() {
    return !Double.isNaN(defaultParam);
  }

  /** Looks up a spec name; null when unknown. */
  public static Activation bySpecName(String name) {
    for (Activation a : values()) {
      if (a.specName.equals(name)) {
        return a;
      }
    }
    return null;
  }

  public static String specNames() {
    StringBuilder sb = new StringBuilder();
    for (Activation a : values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(a.specName).append(a.takesParam() ? "(" + (a == LEAKY_RELU ? "α" : "a") + ")" : "");
    }
    return sb.toString();
  }
}
