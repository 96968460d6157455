package org.sparkprop.cli;

import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.sparkprop.data.Block;

/**
 * {@code model.network = "in-100relu-out"}: the input width and the output units taken from the
 * training data, so a CSV or Parquet file trains without being described first.
 * <pre>
 *   in    the data's feature count
 *   out   classes for cross_entropy, hinge and perceptron (the class names, or the largest label
 *         + 1 for numeric labels); 1 for logistic; the label width for squared
 * </pre>
 */
final class NetworkPlaceholders {

  private static final Set<String> MULTICLASS = Set.of("cross_entropy", "hinge", "perceptron");

  private NetworkPlaceholders() {}

  /** {@code model.network = "auto"}: this network, or the linear model ({@link org.sparkprop.train.AutoArchitecture}). */
  static final String AUTO = "auto";
  static final String AUTO_NETWORK = "in-" + org.sparkprop.train.AutoArchitecture.HIDDEN + "-out";

  static boolean present(String network) {
    String n = network.trim();
    return n.equals(AUTO) || n.startsWith("in-") || n.endsWith("-out");
  }

  /** The network with its placeholders replaced by these widths ({@code auto}: its network). */
  static String resolve(String network, int inputs, int outputs) {
    String n = network.trim().equals(AUTO) ? AUTO_NETWORK : network.trim();
    if (n.startsWith("in-")) {
      n = inputs + n.substring(2);
    }
    if (n.endsWith("-out")) {
      n = n.substring(0, n.length() - 3) + outputs;
    }
    return n;
  }

  /** The widths of {@code data} for {@code loss}: {inputs, outputs}. */
  static int[] widths(DataSources.Loaded data, String loss) {
    JavaRDD<Block> rdd = data.rdd();
    Block first = data.block();
    if (first == null) {
      first = rdd.filter(b -> b.rows() > 0).first();
    }
    int inputs = first.features();
    int outputs;
    if (loss.equals("logistic")) {
      outputs = 1;
    } else if (!MULTICLASS.contains(loss)) {
      outputs = first.labelWidth();
    } else if (data.classNames() != null && !data.classNames().isEmpty()) {
      outputs = data.classNames().size();
    } else {
      float max = data.block() != null ? maxLabel(data.block())
          : rdd.map(NetworkPlaceholders::maxLabel).reduce(Math::max);
      if (!(max >= 0) || max != Math.rint(max) || max >= 1 << 20) {
        throw new IllegalArgumentException("model.network ends in 'out', but the labels of "
            + data.source() + " are not class indices 0..K-1 (largest " + max + "): give the "
            + "output units in model.network, or use loss = squared for regression");
      }
      outputs = (int) max + 1;
    }
    return new int[] {inputs, outputs};
  }

  private static float maxLabel(Block b) {
    float max = -1;
    float[] y = b.y();
    for (int i = 0; i < b.rows() * b.labelWidth(); i++) {
      max = Math.max(max, y[i]);
    }
    return max;
  }
}
