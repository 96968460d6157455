package org.sparkprop.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of the MNIST family (MNIST, Fashion-MNIST, KMNIST), gzipped or plain.
 *
 * <pre>
 *   images: magic 0x00000803, count, rows, cols, then count·rows·cols unsigned bytes
 *   labels: magic 0x00000801, count, then count unsigned bytes
 * </pre>
 * Pixels become floats in [0, 1] (byte / 255), labels class indices. A truncated file, a wrong
 * magic number or mismatched counts give an error naming the file.
 */
public final class IdxReader {

  private IdxReader() {}

  /** Reads an images file and its labels file into one block. */
  public static Dataset read(Path images, Path labels) throws IOException {
    float[] y;
    int count;
    try (DataInputStream in = open(labels)) {
      int magic = in.readInt();
      if (magic != 0x00000801) {
        throw new IOException(labels + ": not an IDX labels file (magic 0x"
            + Integer.toHexString(magic) + ", expected 0x801)");
      }
      count = in.readInt();
      byte[] raw = readFully(in, count, Files.size(labels), labels);
      y = new float[count];
      for (int i = 0; i < count; i++) {
        y[i] = raw[i] & 0xFF;
      }
    }
    try (DataInputStream in = open(images)) {
      int magic = in.readInt();
      if (magic != 0x00000803) {
        throw new IOException(images + ": not an IDX images file (magic 0x"
            + Integer.toHexString(magic) + ", expected 0x803)");
      }
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (n != count) {
        throw new IOException(images + " holds " + n + " images but " + labels + " holds " + count
            + " labels");
      }
      if (rows <= 0 || cols <= 0 || n <= 0) {
        throw new IOException(images + ": header announces " + n + " images of " + rows + "x" + cols
            + " pixels");
      }
      long features = (long) rows * cols;
      byte[] raw = readFully(in, n * features, Files.size(images), images);
      float[] x = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        x[i] = (raw[i] & 0xFF) / 255f;
      }
      return new Dataset(new Block(n, (int) features, 1, x, y, null, images.toString()),
          images + " + " + labels);
    } catch (EOFException e) {
      throw new IOException(images + ": file ends early (truncated?)", e);
    }
  }

  /** Reads {@code train-*} or {@code t10k-*} files of a directory in the standard naming. */
  public static Dataset readSplit(Path dir, boolean train) throws IOException {
    String prefix = train ? "train" : "t10k";
    return read(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"));
  }

  private static Path find(Path dir, String base) throws IOException {
    for (String name : new String[] {base + ".gz", base}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException("no " + base + "[.gz] in " + dir);
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
    raw.mark(2);
    int b1 = raw.read();
    int b2 = raw.read();
    raw.reset();
    boolean gzip = b1 == 0x1f && b2 == 0x8b;
    return new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw,
        1 << 16));
  }

  /**
   * Reads n data bytes. A header cannot make us allocate more than the file could hold: gzip
   * compresses IDX at most ~1000×, so n is checked against that bound before allocating.
   */
  private static byte[] readFully(DataInputStream in, long n, long fileSize, Path p) throws IOException {
    if (n < 0 || n > Integer.MAX_VALUE - 8 || n > fileSize * 1032L) {
      throw new IOException(p + ": header announces " + n + " data bytes, which does not fit a "
          + fileSize + "-byte file (corrupt header?)");
    }
    byte[] b = new byte[(int) n];
    try {
      in.readFully(b);
    } catch (EOFException e) {
      throw new IOException(p + ": file ends early: expected " + n + " data bytes (truncated?)", e);
    }
    return b;
  }
}
