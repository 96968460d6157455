package org.sparkprop.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;

/**
 * Where tests find Fashion-MNIST: $SPARKPROP_FASHION_MNIST, the shared folder beside the checkout
 * (../shared/datasets/fashion-mnist, as CI has it), or Debian's dataset-fashion-mnist package.
 * Loaded once per JVM.
 */
public final class TestData {

  private static Block train;
  private static Block test;

  private TestData() {}

  public static Path fashionMnistDir() {
    String env = System.getenv("SPARKPROP_FASHION_MNIST");
    Path[] candidates = {
        env == null ? null : Path.of(env),
        Path.of("../shared/datasets/fashion-mnist"),
        Path.of("/usr/share/datasets/fashion-mnist")};
    for (Path p : candidates) {
      if (p != null && Files.isRegularFile(p.resolve("t10k-labels-idx1-ubyte.gz"))) {
        return p;
      }
    }
    throw new IllegalStateException("Fashion-MNIST not found: set SPARKPROP_FASHION_MNIST, place "
        + "../shared/datasets/fashion-mnist beside the checkout, or run scripts/setup.sh");
  }

  public static synchronized Block fashionTrain() {
    load();
    return train;
  }

  public static synchronized Block fashionTest() {
    load();
    return test;
  }

  private static void load() {
    if (train != null) {
      return;
    }
    try {
      train = IdxReader.readSplit(fashionMnistDir(), true).block();
      test = IdxReader.readSplit(fashionMnistDir(), false).block();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
