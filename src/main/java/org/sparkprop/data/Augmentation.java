package org.sparkprop.data;

import org.sparkprop.linalg.Rng;

/**
 * A hook that perturbs a gathered training batch in place before the forward pass. Training only;
 * evaluation never augments. Randomness comes from the generator the trainer seeds per (seed,
 * step, shard), so augmented runs stay reproducible.
 */
@FunctionalInterface
public interface Augmentation {

  /** Modifies {@code x[0 .. rows·features)} in place. */
  void apply(float[] x, int rows, int features, Rng rng);
}
