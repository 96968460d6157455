package org.sparkprop.nn;

import org.sparkprop.linalg.Rng;

/**
 * Per-layer working memory owned by a {@link Workspace}: a float buffer sized by
 * {@link Layer#scratchSize(int)} and a random generator that the network reseeds before every
 * forward pass from (noise seed, layer index), so that dropout masks are reproducible.
 */
public final class Scratch {

  public final float[] data;
  public final Rng rng = new Rng(0);

  public Scratch(int size) {
    this.data = new float[size];
  }
}
