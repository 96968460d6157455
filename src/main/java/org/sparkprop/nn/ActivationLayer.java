package org.sparkprop.nn;

/**
 * Applies an {@link Activation} to every element of the batch (softmax: to every row).
 * No parameters. Backward uses the stored output (or input, for leaky ReLU), never recomputes.
 */
public final class ActivationLayer implements Layer {

  private final Activation kind;
  private final double param;
  private final int width;

  public ActivationLayer(Activation kind, double param, int width) {
    if (kind.takesParam() && !(Double.isFinite(param) && param > 0 && (kind != Activation.LEAKY_RELU || param < 1))) {
      throw new IllegalArgumentException(kind.specName + " parameter must be "
          + (kind == Activation.LEAKY_RELU ? "in (0, 1)" : "finite and > 0") + ", got " + param);
    }
    this.kind = kind;
    this.param = kind.takesParam() ? param : Double.NaN;
    this.width = width;
  }

  public Activation kind() {
    return kind;
  }

  public double param() {
    return param;
  }

  @Override
  public int inputSize() {
    return width;
  }

  @Override
  public int outputSize() {
    return width;
  }

  @Override
  public boolean isDifferentiable() {
    return kind != Activation.STEP;
  }

  @Override
  public void forward(float[] params, float[] state, float[] in, float[] out, int rows,
                      Scratch scratch, boolean training) {
    int n = rows * width;
    switch (kind) {
      case IDENTITY -> System.arraycopy(in, 0, out, 0, n);
      case RELU -> {
        for (int i = 0; i < n; i++) {
          out[i] = Math.max(in[i], 0f);                    // Math.max vectorises; a ternary does not
        }
      }
      case LEAKY_RELU -> {
        float alpha = (float) param;
        for (int i = 0; i < n; i++) {
          out[i] = Math.max(in[i], alpha * in[i]);         // 0 < α < 1
        }
      }
      case SIGMOID -> {
        float a = (float) param;
        for (int i = 0; i < n; i++) {
          out[i] = FastTanh.sigmoid(a * in[i]);            // vectorises; Math.exp does not
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          out[i] = FastTanh.tanh(in[i]);                    // vectorises; Math.tanh does not
        }
      }
      case SOFTMAX -> {
        for (int r = 0; r < rows; r++) {
          softmaxRow(in, out, r * width, width);
        }
      }
      case STEP -> {
        for (int i = 0; i < n; i++) {
          out[i] = in[i] > 0f ? 1f : 0f;
        }
      }
      default -> throw new AssertionError(kind);
    }
  }

  @Override
  public void backward(float[] params, float[] in, float[] out, float[] dOut, float[] dIn,
                       float[] grad, int rows, Scratch scratch) {
    if (dIn == null) {
      return;
    }
    int n = rows * width;
    switch (kind) {
      case IDENTITY -> System.arraycopy(dOut, 0, dIn, 0, n);
      case RELU -> {
        for (int i = 0; i < n; i++) {
          dIn[i] = dOut[i] * step01(out[i]);
        }
      }
      case LEAKY_RELU -> {
        float alpha = (float) param;
        float rest = 1f - alpha;
        for (int i = 0; i < n; i++) {
          dIn[i] = dOut[i] * (alpha + rest * step01(in[i]));
        }
      }
      case SIGMOID -> {
        float a = (float) param;
        for (int i = 0; i < n; i++) {
          float y = out[i];
          dIn[i] = dOut[i] * a * y * (1f - y);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          float y = out[i];
          dIn[i] = dOut[i] * (1f - y * y);
        }
      }
      case SOFTMAX -> {
        for (int r = 0; r < rows; r++) {
          int o = r * width;
          double dot = 0;                                   // Σ_k dy_k · y_k
          for (int k = 0; k < width; k++) {
            dot += (double) dOut[o + k] * out[o + k];
          }
          for (int j = 0; j < width; j++) {
            dIn[o + j] = (float) (out[o + j] * (dOut[o + j] - dot));
          }
        }
      }
      case STEP -> throw new UnsupportedOperationException(
          "Cannot train through the Heaviside step: its derivative is zero almost everywhere. "
              + "Use 'step' only for prediction; to train a perceptron, use a linear output "
              + "with the perceptron loss (loss=perceptron).");
      default -> throw new AssertionError(kind);
    }
  }

  /**
   * [z &gt; 0] as 0f or 1f without a branch, so that the loops above vectorise (a ternary makes C2
   * emit scalar code, ~8× slower here): min(1, max(z, 0)·MAX_VALUE) is exactly 1 for every normal
   * positive float and 0 for z ≤ 0. Only subnormal z (below 2.9e-39) would give a fraction.
   */
  static float step01(float z) {
    return Math.min(1f, Math.max(z, 0f) * Float.MAX_VALUE);
  }

  /** Row softmax with the max subtracted first, so large logits never overflow. */
  public static void softmaxRow(float[] in, float[] out, int offset, int width) {
    float max = Float.NEGATIVE_INFINITY;
    for (int k = 0; k < width; k++) {
      max = Math.max(max, in[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < width; k++) {
      float e = (float) Math.exp(in[offset + k] - max);
      out[offset + k] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int k = 0; k < width; k++) {
      out[offset + k] *= inv;
    }
  }

  @Override
  public String describe() {
    return kind.takesParam() ? kind.specName + "(" + param + ")" : kind.specName;
  }
}
