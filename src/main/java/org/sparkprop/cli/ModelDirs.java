package org.sparkprop.cli;

import org.sparkprop.train.FileStore;
import org.sparkprop.train.ModelIO;

/**
 * Where the engine's model is in a folder given as {@code --model}: the folder itself (what
 * {@code sparkprop train} writes under {@code model/}), or its {@code model/} subfolder (a Spark ML
 * model's folder, or a training run's output folder). One model format serves both.
 */
final class ModelDirs {
  // A folder on any file system (OutputDir's rule: plain paths and file: are local).

  private ModelDirs() {}

  static FileStore engineModel(OutputDir dir) throws java.io.IOException {
    FileStore top = dir.store();
    if (!top.exists(ModelIO.METADATA)) {
      FileStore inner = dir.child("model").store();
      if (inner.exists(ModelIO.METADATA)) {
        return inner;
      }
    }
    return top;
  }
}
