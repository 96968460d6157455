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

  /** An IDX pair's headers: {@code count} images of rows×cols pixels, and as many labels. */
  public record Header(int count, int rows, int cols) implements java.io.Serializable {
    public int features() {
      return rows * cols;
    }
  }

  /** Reads an images file and its labels file into one block. */
  public static Dataset read(Path images, Path labels) throws IOException {
    try (DataInputStream img = open(Files.newInputStream(images));
         DataInputStream lab = open(Files.newInputStream(labels))) {
      Header h = readHeaders(img, images.toString(), lab, labels.toString());
      checkSize(h, Files.size(images), images.toString());
      Block b = readRows(img, images.toString(), lab, labels.toString(), h, 0, h.count());
      return new Dataset(b, images + " + " + labels);
    }
  }

  /**
   * Reads and checks both headers (magic numbers, equal counts, positive sizes), leaving each
   * stream at its first data byte.
   */
  public static Header readHeaders(DataInputStream images, String imagesName, DataInputStream labels,
                                   String labelsName) throws IOException {
    try {
      int magic = labels.readInt();
      if (magic != 0x00000801) {
        throw new IOException(labelsName + ": not an IDX labels file (magic 0x"
            + Integer.toHexString(magic) + ", expected 0x801)");
      }
      int count = labels.readInt();
      magic = images.readInt();
      if (magic != 0x00000803) {
        throw new IOException(imagesName + ": not an IDX images file (magic 0x"
            + Integer.toHexString(magic) + ", expected 0x803)");
      }
      int n = images.readInt();
      int rows = images.readInt();
      int cols = images.readInt();
      if (n != count) {
        throw new IOException(imagesName + " holds " + n + " images but " + labelsName + " holds "
            + count + " labels");
      }
      if (rows <= 0 || cols <= 0 || n <= 0 || (long) rows * cols > Integer.MAX_VALUE) {
        throw new IOException(imagesName + ": header announces " + n + " images of " + rows + "x"
            + cols + " pixels");
      }
      return new Header(n, rows, cols);
    } catch (EOFException e) {
      throw new IOException(imagesName + " or " + labelsName + ": file ends inside its header", e);
    }
  }

  /**
   * A header cannot make a reader allocate more than the file could hold: gzip compresses IDX at
   * most ~1000×, so the announced data is checked against that bound before anything is read.
   */
  public static void checkSize(Header h, long fileSize, String name) throws IOException {
    long n = (long) h.count() * h.features();
    if (n > fileSize * 1032L) {
      throw new IOException(name + ": header announces " + n + " data bytes, which does not fit a "
          + fileSize + "-byte file (corrupt header?)");
    }
  }

  /**
   * Images and labels [from, to) as a block, from streams positioned at their first data byte
   * (just after {@link #readHeaders}): the rows before {@code from} are skipped.
   */
  public static Block readRows(DataInputStream images, String imagesName, DataInputStream labels,
                               String labelsName, Header h, int from, int to) throws IOException {
    int n = to - from;
    int features = h.features();
    if ((long) n * features > Integer.MAX_VALUE - 8) {
      throw new IOException(imagesName + ": " + n + " images of " + features + " pixels do not fit "
          + "one block; read them in more partitions");
    }
    skip(labels, from, labelsName);
    byte[] rawLabels = readFully(labels, n, labelsName);
    skip(images, (long) from * features, imagesName);
    byte[] raw = readFully(images, (long) n * features, imagesName);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rawLabels[i] & 0xFF;
    }
    float[] x = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      x[i] = (raw[i] & 0xFF) / 255f;
    }
    return new Block(n, features, 1, x, y, null, imagesName);
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

  /** A buffered stream over {@code raw}, decompressed when it starts with gzip's magic bytes. */
  public static DataInputStream open(InputStream in) throws IOException {
    try {
      InputStream raw = new BufferedInputStream(in, 1 << 16);
      raw.mark(2);
      int b1 = raw.read();
      int b2 = raw.read();
      raw.reset();
      boolean gzip = b1 == 0x1f && b2 == 0x8b;
      return new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw,
          1 << 16));
    } catch (IOException | RuntimeException e) {
      in.close();                                          // e.g. a gzip header cut short
      throw e;
    }
  }

  private static void skip(DataInputStream in, long n, String name) throws IOException {
    try {
      in.skipNBytes(n);
    } catch (EOFException e) {
      throw new IOException(name + ": file ends early (truncated?)", e);
    }
  }

  private static byte[] readFully(DataInputStream in, long n, String name) throws IOException {
    byte[] b = new byte[(int) n];
    try {
      in.readFully(b);
    } catch (EOFException e) {
      throw new IOException(name + ": file ends early: expected " + n + " data bytes (truncated?)", e);
    }
    return b;
  }
}
