package org.sparkprop.optim;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Builds optimizers by name from configuration, with the documented defaults. */
public final class Optimizers {

  public static final String NAMES = "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw";

  private Optimizers() {}

  /**
   * @param name one of {@link #NAMES}
   * @param hyper optional hyper-parameters: momentum, rho, beta1, beta2, eps, weight_decay
   */
  public static Optimizer create(String name, Map<String, Double> hyper) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    Map<String, Double> h = new HashMap<>(hyper);
    Optimizer o = switch (n) {
      case "sgd" -> new Sgd();
      case "momentum" -> new Momentum(take(h, "momentum", Momentum.DEFAULT_ALPHA));
      case "nesterov" -> new Nesterov(take(h, "momentum", Momentum.DEFAULT_ALPHA));
      case "adagrad" -> new Adagrad(take(h, "eps", Adagrad.DEFAULT_EPS));
      case "rmsprop" -> new RmsProp(take(h, "rho", RmsProp.DEFAULT_RHO),
          take(h, "eps", RmsProp.DEFAULT_EPS));
      case "adam" -> new Adam(take(h, "beta1", Adam.DEFAULT_BETA1), take(h, "beta2", Adam.DEFAULT_BETA2),
          take(h, "eps", Adam.DEFAULT_EPS), 0);
      case "adamw" -> new Adam(take(h, "beta1", Adam.DEFAULT_BETA1),
          take(h, "beta2", Adam.DEFAULT_BETA2), take(h, "eps", Adam.DEFAULT_EPS),
          take(h, "weight_decay", Adam.DEFAULT_ADAMW_DECAY));
      default -> throw new IllegalArgumentException("Unknown optimizer '" + name + "'; expected one of "
          + NAMES + " (L-BFGS is a separate full-batch solver: solver=lbfgs)");
    };
    if (!h.isEmpty()) {
      throw new IllegalArgumentException("Optimizer '" + n + "' does not take " + h.keySet()
          + "; it takes " + (o.hyperParameters().isEmpty() ? "no hyper-parameters"
          : Set.copyOf(o.hyperParameters().keySet())));
    }
    return o;
  }

  private static double take(Map<String, Double> h, String key, double dflt) {
    Double v = h.remove(key);
    return v == null ? dflt : v;
  }

  static void checkUnit(String name, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
    }
  }

  static void checkPositive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
    }
  }
}
