package org.sparkprop.spark;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.sparkprop.data.Block;
import org.sparkprop.data.IdxReader;

/**
 * IDX files on any Hadoop file system, read by the executors: the driver reads and checks the two
 * headers only; partition p of P reads images and labels [p·n/P, (p+1)·n/P) itself, skipping the
 * rows before its range (IDX rows have a fixed size, so a plain file is skipped without reading;
 * a gzipped one is decompressed up to the range). Nothing of the data passes through the driver.
 */
public final class IdxOnExecutors {

  private IdxOnExecutors() {}

  /**
   * The {@code train-*} or {@code t10k-*} pair (gzipped or plain) of folder {@code dir} (a Hadoop
   * URI), in {@code partitions} partitions (≤ 0: Spark's default parallelism) in file order, each
   * of one or more blocks. The Hadoop configuration travels as one broadcast, kept for as long as
   * the RDD may be recomputed.
   */
  public static JavaRDD<Block> read(JavaSparkContext sc, String dir, boolean train, int partitions)
      throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    String prefix = train ? "train" : "t10k";
    Path images = find(conf, dir, prefix + "-images-idx3-ubyte");
    Path labels = find(conf, dir, prefix + "-labels-idx1-ubyte");
    IdxReader.Header h;
    try (DataInputStream img = open(conf, images); DataInputStream lab = open(conf, labels)) {
      h = IdxReader.readHeaders(img, images.toString(), lab, labels.toString());
    }
    IdxReader.checkSize(h, images.getFileSystem(conf).getFileStatus(images).getLen(), images.toString());
    int wanted = partitions > 0 ? partitions : sc.defaultParallelism();
    int p = Math.max(1, Math.min(wanted, h.count()));
    List<Integer> ranks = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      ranks.add(i);
    }
    Broadcast<SerializableConfiguration> shared = sc.broadcast(new SerializableConfiguration(conf));
    String imagesUri = images.toString();
    String labelsUri = labels.toString();
    IdxReader.Header header = h;
    return sc.parallelize(ranks, p).mapPartitions((Iterator<Integer> it) -> {
      List<Block> out = new ArrayList<>();
      while (it.hasNext()) {
        int k = it.next();
        int from = (int) ((long) header.count() * k / p);
        int to = (int) ((long) header.count() * (k + 1) / p);
        Configuration c = shared.value().value();
        try (DataInputStream img = open(c, new Path(imagesUri));
             DataInputStream lab = open(c, new Path(labelsUri))) {
          IdxReader.Header again = IdxReader.readHeaders(img, imagesUri, lab, labelsUri);
          if (!again.equals(header)) {
            throw new IOException(imagesUri + " changed while it was read: its header now says "
                + again + ", the driver read " + header);
          }
          // Blocks of at most BLOCK_FLOATS values, read on from where the last one ended.
          int perBlock = Math.max(1, org.sparkprop.data.BlockList.BLOCK_FLOATS / header.features());
          int skip = from;
          for (int lo = from; lo < to; lo += perBlock) {
            int n = Math.min(perBlock, to - lo);
            out.add(IdxReader.readRows(img, imagesUri, lab, labelsUri, header, skip, skip + n));
            skip = 0;
          }
          if (from == to) {
            out.add(IdxReader.readRows(img, imagesUri, lab, labelsUri, header, from, to));
          }
        }
      }
      return out.iterator();
    });
  }

  private static Path find(Configuration conf, String dir, String base) throws IOException {
    Path folder = new Path(dir);
    FileSystem fs = folder.getFileSystem(conf);
    for (String name : new String[] {base + ".gz", base}) {
      Path p = new Path(folder, name);
      if (fs.isFile(p)) {
        return p;
      }
    }
    throw new IOException("no " + base + "[.gz] in " + dir);
  }

  private static DataInputStream open(Configuration conf, Path p) throws IOException {
    return IdxReader.open(p.getFileSystem(conf).open(p));
  }
}
