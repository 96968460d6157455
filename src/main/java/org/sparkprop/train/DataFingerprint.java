package org.sparkprop.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkprop.data.Block;

/**
 * Identifies training data for checkpoints: sizes and position-weighted checksums of the data as
 * the user gave it (before scaling), so a resume can check it is given the same data.
 */
final class DataFingerprint {

  private DataFingerprint() {}

  static Map<String, Object> of(List<Block> shards) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rows", shards.stream().mapToLong(Block::rows).sum());
    m.put("features", shards.get(0).features());
    m.put("shards", shards.size());
    double labels = 0;
    double features = 0;
    for (Block b : shards) {
      labels += checksum(b.y());
      features += checksum(b.x());
    }
    m.put("labelChecksum", labels);
    m.put("featureChecksum", features);
    return m;
  }

  private static double checksum(float[] a) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * (double) ((i % 97) + 1);
    }
    return s;
  }
}
