package org.sparkprop.nn;

import java.util.List;
import java.util.Locale;

/** The registry of losses: every loss the engine offers, by name. Tests iterate over {@link #ALL}. */
public final class Losses {

  public static final List<Loss> ALL = List.of(
      new SoftmaxCrossEntropy(), new LogisticLoss(), new HingeLoss(), new PerceptronLoss(),
      new SquaredLoss());

  private Losses() {}

  public static Loss byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Loss l : ALL) {
      if (l.name().equals(n)) {
        return l;
      }
    }
    throw new IllegalArgumentException("Unknown loss '" + name + "'; expected one of " + names());
  }

  public static String names() {
    return String.join(", ", ALL.stream().map(Loss::name).toList());
  }
}
