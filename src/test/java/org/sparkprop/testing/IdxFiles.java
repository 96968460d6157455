package org.sparkprop.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Tiny IDX files for tests: {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte}. */
public final class IdxFiles {

  private IdxFiles() {}

  /**
   * Writes {@code images} images of side×side pixels (pixel j of all images in order: j·20 mod
   * 256) and {@code labelCount} labels (i mod 10) into {@code dir} as the train split.
   *
   * @param truncate write 5 pixel bytes fewer than the header promises
   */
  public static void writeTrain(Path dir, int images, int side, int labelCount, boolean gzip,
                                boolean truncate) throws IOException {
    ByteArrayOutputStream img = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(img);
    d.writeInt(0x803);
    d.writeInt(images);
    d.writeInt(side);
    d.writeInt(side);
    int pixels = images * side * side - (truncate ? 5 : 0);
    for (int i = 0; i < pixels; i++) {
      d.write(i * 20);
    }
    ByteArrayOutputStream lab = new ByteArrayOutputStream();
    DataOutputStream l = new DataOutputStream(lab);
    l.writeInt(0x801);
    l.writeInt(labelCount);
    for (int i = 0; i < labelCount; i++) {
      l.write(i % 10);
    }
    String suffix = gzip ? ".gz" : "";
    write(dir.resolve("train-images-idx3-ubyte" + suffix), img.toByteArray(), gzip);
    write(dir.resolve("train-labels-idx1-ubyte" + suffix), lab.toByteArray(), gzip);
  }

  private static void write(Path p, byte[] b, boolean gzip) throws IOException {
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      out.write(b);
    }
  }
}
