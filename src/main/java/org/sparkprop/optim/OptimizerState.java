package org.sparkprop.optim;

import java.util.List;

/**
 * An optimizer's per-parameter state: one float array per name ({@code "v"}, {@code "m"}...), each
 * as long as the parameter vector. Plain data: copied, averaged, checkpointed like the weights.
 */
public final class OptimizerState {

  private final String optimizer;
  private final List<String> names;
  private final float[][] slots;

  public OptimizerState(String optimizer, List<String> names, int n) {
    this.optimizer = optimizer;
    this.names = List.copyOf(names);
    this.slots = new float[names.size()][n];
  }

  private OptimizerState(String optimizer, List<String> names, float[][] slots) {
    this.optimizer = optimizer;
    this.names = List.copyOf(names);
    this.slots = slots;
  }

  public String optimizer() {
    return optimizer;
  }

  public List<String> names() {
    return names;
  }

  public int size() {
    return slots.length == 0 ? 0 : slots[0].length;
  }

  /** The state array named {@code name}. */
  public float[] slot(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(optimizer + " state has no array '" + name + "'");
    }
    return slots[i];
  }

  public float[] slot(int i) {
    return slots[i];
  }

  public int slotCount() {
    return slots.length;
  }

  public OptimizerState copy() {
    float[][] c = new float[slots.length][];
    for (int i = 0; i < slots.length; i++) {
      c[i] = slots[i].clone();
    }
    return new OptimizerState(optimizer, names, c);
  }

  /**
   * Rebuilds a state from saved arrays, checking that they belong to {@code expected} with
   * {@code n} parameters; a mismatch is a clear error, never a silent load.
   */
  public static OptimizerState of(Optimizer expected, String savedName, float[][] arrays, int n) {
    if (!savedName.equals(expected.name())) {
      throw new IllegalArgumentException("saved optimizer state is for '" + savedName
          + "', but the run uses '" + expected.name() + "'");
    }
    if (arrays.length != expected.stateNames().size()) {
      throw new IllegalArgumentException("saved optimizer state holds " + arrays.length
          + " arrays; " + expected.name() + " needs " + expected.stateNames().size());
    }
    for (float[] a : arrays) {
      if (a.length != n) {
        throw new IllegalArgumentException("saved optimizer state array has " + a.length
            + " floats; the network has " + n + " parameters");
      }
    }
    return new OptimizerState(expected.name(), expected.stateNames(), arrays);
  }
}
