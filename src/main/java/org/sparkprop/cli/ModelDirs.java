package org.sparkprop.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkprop.train.ModelIO;

/**
 * Where the engine's model is in a folder given as {@code --model}: the folder itself (what
 * {@code sparkprop train} writes under {@code model/}), or its {@code model/} subfolder (a Spark ML
 * model's folder, or a training run's output folder). One model format serves both.
 */
final class ModelDirs {

  private ModelDirs() {}

  static Path engineModel(Path dir) {
    if (!Files.exists(dir.resolve(ModelIO.METADATA))
        && Files.exists(dir.resolve("model").resolve(ModelIO.METADATA))) {
      return dir.resolve("model");
    }
    return dir;
  }
}
