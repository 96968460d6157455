package org.sparkprop.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.sparkprop.data.Block;
import scala.Tuple2;

/**
 * The replica's side of the regrouping shuffle ({@link Replicas#group}): its blocks, in partition
 * order, from the shuffle's records in whatever order their map outputs arrive, holding one block
 * at a time. Each source partition p arrives as one contiguous run, in its own order, ended by a
 * marker (block index −1):
 *
 * <pre>
 *   key (p, k)   block k of partition p, k = 0, 1, …;   (p, −1) the end of partition p
 * </pre>
 * The run of the next partition due is passed straight on; a run that comes early is written to
 * a local file (raw float32 blocks, in the executor's local directory; never Java serialisation)
 * and read back when its turn comes. A run out of order, a missing marker or a partition outside the replica fails loudly: a
 * wrong order would train on other rows without a sign. Files left by a failed task are deleted
 * when it ends.
 */
final class ReplicaOrder implements Iterator<Block> {

  private final Iterator<Tuple2<Long, Block>> in;
  private final int last;
  private int due;
  /** Runs that came early, by partition. */
  private final Map<Integer, File> early = new HashMap<>();
  private DataInputStream reading;
  /** Staging for float arrays to and from files: 64K floats at a time. */
  private final ByteBuffer staging = ByteBuffer.allocate(4 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private Block next;
  /** The run being passed on from the shuffle: its partition and next block index; -1: none. */
  private int streaming = -1;
  private long expectedK;

  /** Key of block k of partition p (k = −1: the end of p). */
  static long key(int p, long k) {
    return ((long) p << 32) | (k & 0xffffffffL);
  }

  static int partitionOf(long key) {
    return (int) (key >>> 32);
  }

  static long blockOf(long key) {
    int k = (int) key;
    return k;
  }

  /** Partition p's non-empty blocks keyed in order, then its end marker. */
  static Iterator<Tuple2<Long, Block>> keyed(int p, Iterator<Block> blocks) {
    return new Iterator<>() {
      long k;
      boolean ended;

      @Override
      public boolean hasNext() {
        return !ended;
      }

      @Override
      public Tuple2<Long, Block> next() {
        while (blocks.hasNext()) {
          Block b = blocks.next();
          if (b.rows() > 0) {
            return new Tuple2<>(key(p, k++), b);
          }
        }
        if (ended) {
          throw new NoSuchElementException();
        }
        ended = true;
        return new Tuple2<>(key(p, -1), Block.empty(1, 1, false));
      }
    };
  }

  /**
   * @param first the replica's first partition
   * @param end one past its last
   */
  ReplicaOrder(Iterator<Tuple2<Long, Block>> in, int first, int end) {
    this.in = in;
    this.due = first;
    this.last = end;
    org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> close());
    }
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public Block next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Block b = next;
    next = null;
    return b;
  }

  /** The next block in partition order, or null at the end. */
  private Block advance() {
    try {
      while (due < last) {
        if (reading != null) {                          // an early run, read back
          Block b = readBlock(reading);
          if (b != null) {
            return b;
          }
          reading.close();                               // its marker: the run is over
          reading = null;
          Files.deleteIfExists(early.remove(due).toPath());
          due++;
          continue;
        }
        if (early.containsKey(due) && streaming < 0) {
          reading = new DataInputStream(new BufferedInputStream(
              Files.newInputStream(early.get(due).toPath()), 1 << 20));
          continue;
        }
        if (!in.hasNext()) {
          throw new IllegalStateException("the regrouping shuffle ended before partition " + due
              + " of replica partitions " + due + ".." + (last - 1) + " arrived");
        }
        Tuple2<Long, Block> t = in.next();
        int p = partitionOf(t._1());
        long k = blockOf(t._1());
        if (p == due) {
          checkInOrder(p, k);
          if (k < 0) {                                   // the end of the partition due
            streaming = -1;
            due++;
            continue;
          }
          streaming = p;
          return t._2();
        }
        spillRun(p, k, t._2());
      }
      if (in.hasNext()) {
        throw new IllegalStateException("the regrouping shuffle sent partition "
            + partitionOf(in.next()._1()) + " past the replica's last, " + (last - 1));
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void checkInOrder(int p, long k) {
    long want = streaming == p ? expectedK : 0;
    if (k != want && !(k < 0 && (streaming == p || want == 0))) {
      throw new IllegalStateException("partition " + p + "'s blocks came out of order in the "
          + "regrouping shuffle (block " + k + " where " + want + " was due)");
    }
    expectedK = k < 0 ? 0 : k + 1;
  }

  /** Writes partition p's run, from its first record {@code (k, b)} to its marker, to a file. */
  private void spillRun(int p, long k, Block b) throws IOException {
    if (p < due || p >= last || early.containsKey(p) || k != 0 && k != -1) {
      throw new IllegalStateException("the regrouping shuffle sent block " + k + " of partition "
          + p + " while partition " + due + " was due (replica partitions up to " + (last - 1)
          + "): out of order");
    }
    File f = tempFile();
    early.put(p, f);
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(f.toPath()), 1 << 20))) {
      long want = 0;
      long key = k;
      Block block = b;
      while (true) {
        if (key != want && key != -1) {
          throw new IllegalStateException("partition " + p + "'s blocks came out of order in the "
              + "regrouping shuffle (block " + key + " where " + want + " was due)");
        }
        if (key < 0) {
          out.writeInt(-1);                              // the run's end
          return;
        }
        writeBlock(out, block);
        want++;
        if (!in.hasNext()) {
          throw new IllegalStateException("the regrouping shuffle ended inside partition " + p);
        }
        Tuple2<Long, Block> t = in.next();
        if (partitionOf(t._1()) != p) {
          throw new IllegalStateException("partition " + p + "'s run was cut by partition "
              + partitionOf(t._1()) + " in the regrouping shuffle");
        }
        key = blockOf(t._1());
        block = t._2();
      }
    }
  }

  /** rows, features, label width, weighted; then x, y (and w) as little-endian float32. */
  private void writeBlock(DataOutputStream out, Block b) throws IOException {
    out.writeInt(b.rows());
    out.writeInt(b.features());
    out.writeInt(b.labelWidth());
    out.writeBoolean(b.weighted());
    writeFloats(out, b.x());
    writeFloats(out, b.y());
    if (b.weighted()) {
      writeFloats(out, b.w());
    }
  }

  /** The next block of a run's file, or null at its end. */
  private Block readBlock(DataInputStream in) throws IOException {
    int rows = in.readInt();
    if (rows < 0) {
      return null;
    }
    int features = in.readInt();
    int labelWidth = in.readInt();
    boolean weighted = in.readBoolean();
    float[] x = readFloats(in, rows * features);
    float[] y = readFloats(in, rows * labelWidth);
    float[] w = weighted ? readFloats(in, rows) : null;
    return new Block(rows, features, labelWidth, x, y, w, "regrouped partition " + due);
  }

  private void writeFloats(DataOutputStream out, float[] a) throws IOException {
    int chunk = staging.capacity() / 4;
    for (int i = 0; i < a.length; i += chunk) {
      int n = Math.min(chunk, a.length - i);
      staging.clear();
      staging.asFloatBuffer().put(a, i, n);
      out.write(staging.array(), 0, 4 * n);
    }
  }

  private float[] readFloats(DataInputStream in, int length) throws IOException {
    float[] a = new float[length];
    int chunk = staging.capacity() / 4;
    for (int i = 0; i < length; i += chunk) {
      int n = Math.min(chunk, length - i);
      in.readFully(staging.array(), 0, 4 * n);
      staging.clear();
      staging.asFloatBuffer().get(a, i, n);
    }
    return a;
  }

  private static File tempFile() throws IOException {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    if (env != null) {
      return env.blockManager().diskBlockManager().createTempLocalBlock()._2();
    }
    File f = File.createTempFile("sparkprop-replica-", ".bin");
    f.deleteOnExit();
    return f;
  }

  private void close() {
    try {
      if (reading != null) {
        reading.close();
      }
      for (File f : early.values()) {
        Files.deleteIfExists(f.toPath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
